/**
 * The sandbox server in a process of its own, driven over IPC by the bench harness, so
 * that the CPU and memory measured for a client are the client's alone. Commands:
 * load a seed file (the server's state before a run), set the latency, read the
 * request counts (with the arrival times of the first and last request), and check
 * that the server holds exactly what a maps directory says.
 */
import {readFile} from 'node:fs/promises'

import {loadMapsDir} from '../../src/format/index.js'
import {positionKey} from '../../src/model/types.js'
import {type Sandbox, type SeedMap, startSandbox} from '../../src/sandbox/index.js'

export type Command = {cmd: 'load'; seedFile?: string; latencyMs: number} | {cmd: 'stats'} | {cmd: 'check'; dir: string} | {cmd: 'stop'}

export interface Stats {
  total: number
  byRoute: Record<string, number>
  /** When the first and the last request since the last load arrived (epoch ms, sub-millisecond). */
  firstAt?: number
  lastAt?: number
  /** CPU time the server spent since the last load. */
  cpuMs?: number
  /** Requests per second between the arrivals of the requests at 10% and at 90% of the count: the pace once started and before the tail. */
  sustainedRps?: number
  timeline?: Array<[number, string]>
}

let first: number | undefined
let last: number | undefined
/** CPU time of this process when the counts were last reset. */
let cpuAtLoad = process.cpuUsage()
/** Arrival times of the requests since the last load. */
let arrivals: number[] = []
/** Arrival time and route of every request since the last load, for a closer look (BENCH_TIMELINE=1). */
let timeline: Array<[number, string]> = []
const keepTimeline = process.env.BENCH_TIMELINE === '1'

/** Counts stay the sandbox's own; this only notes when each request arrived. */
function timeRequests(sandbox: Sandbox): void {
  first = undefined
  last = undefined
  timeline = []
  arrivals = []
  cpuAtLoad = process.cpuUsage()
  sandbox.stats.byRoute = new Proxy(sandbox.stats.byRoute, {
    set(target, key, value) {
      const now = performance.timeOrigin + performance.now()
      first ??= now
      last = now
      arrivals.push(now)
      if (keepTimeline) timeline.push([now, String(key)])
      return Reflect.set(target, key, value)
    },
  })
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}

function sustained(times: number[]): number | undefined {
  if (times.length < 10) return undefined
  const from = Math.floor(times.length * 0.1)
  const to = Math.ceil(times.length * 0.9) - 1
  const span = (times[to] as number) - (times[from] as number)
  return span > 0 ? ((to - from) / span) * 1000 : undefined
}

async function check(sandbox: Sandbox, dir: string): Promise<string[]> {
  const {maps, invalid} = await loadMapsDir(dir)
  const problems = invalid.map((f) => `invalid file ${f.file}`)
  const server = new Map(sandbox.snapshot().map((m) => [m.name, m]))
  for (const local of maps) {
    const remote = server.get(local.name)
    server.delete(local.name)
    if (!remote) {
      problems.push(`${local.name}: missing on the server`)
      continue
    }
    if (remote.width !== local.width || remote.height !== local.height) problems.push(`${local.name}: size differs`)
    const key = (o: {name: string; x: number; y: number; vision: number | null}): string => `${o.name}@${o.x},${o.y}/${o.vision}`
    const lo = local.observers.map(key).sort().join('|')
    const ro = remote.observers.map(key).sort().join('|')
    if (lo !== ro) problems.push(`${local.name}: observers differ`)
    const rk = remote.obstacles.map(positionKey)
    if (new Set(rk).size !== rk.length) problems.push(`${local.name}: duplicated obstacles`)
    const lk = new Set(local.obstacles.map(positionKey))
    if (lk.size !== rk.length || rk.some((k) => !lk.has(k))) problems.push(`${local.name}: obstacles differ`)
    if (problems.length > 20) break
  }
  for (const name of server.keys()) problems.push(`${name}: on the server but has no file`)
  return problems
}

async function main(): Promise<void> {
  const sandbox = await startSandbox({port: 0})
  const send = (message: unknown): void => {
    process.send?.(message)
  }
  process.on('message', (raw: {id: number} & Command) => {
    const reply = (result: unknown): void => send({id: raw.id, result})
    const fail = (error: unknown): void => send({id: raw.id, error: (error as Error).stack ?? String(error)})
    void (async () => {
      switch (raw.cmd) {
        case 'load': {
          sandbox.reset()
          if (raw.seedFile) sandbox.seed(JSON.parse(await readFile(raw.seedFile, 'utf8')) as SeedMap[])
          sandbox.defects.latencyMs = raw.latencyMs
          timeRequests(sandbox)
          return reply(true)
        }
        case 'stats': {
          const {total, byRoute} = sandbox.stats
          return reply({
            total,
            byRoute: {...byRoute},
            firstAt: first,
            lastAt: last,
            cpuMs: cpuMsSince(cpuAtLoad),
            sustainedRps: sustained(arrivals),
            ...(keepTimeline ? {timeline} : {}),
          } satisfies Stats)
        }
        case 'check': {
          return reply(await check(sandbox, raw.dir))
        }
        case 'stop': {
          await sandbox.close()
          reply(true)
          process.disconnect()
        }
      }
    })().catch(fail)
  })
  send({ready: sandbox.url})
}

await main()
