/**
 * The gridsync benchmark suite: `npm run bench` (everything, a few minutes) or
 * `npm run bench -- --quick` (a fast subset, one run each).
 *
 * It runs the real CLI (bin/run.js, built) against the sandbox server in a process of
 * its own, with 0, 5 and 25 ms of added latency per request, over generated workloads,
 * and beside it a plain sequential client doing the same sync. It records wall time,
 * requests per second, requests sent against the plan's minimum, peak memory and CPU
 * time of the client process alone; figures are medians of several runs. Then local
 * planning time, peak memory on a 2,000x2,000 map, and start-up time. Results go to
 * bench/results/latest.json and bench/results/latest.md (the table).
 *
 * Options: --quick, --runs N, --only ID[,ID...] (workload ids, or the sections
 * startup, load, planning, huge: only those run), --latencies MS[,MS...], --write-doc (replace the results
 * section of BENCHMARKS.md with the new table).
 */
import {execFileSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import {mkdir, readFile, rm, writeFile} from 'node:fs/promises'
import os from 'node:os'
import {join} from 'node:path'

import {measure, median, type ProcessRun} from './lib/measure.js'
import {minimumRequests, type Minimum, type PlanDoc, routeDifferences} from './lib/minimum.js'
import {CLI, CLIENTS_DIR, EXT, ROOT} from './lib/paths.js'
import {cut, renderMarkdown} from './lib/report.js'
import type {Stats} from './lib/sandbox-process.js'
import {SandboxProcess} from './lib/sandbox-control.js'
import {hugeWorkload, materialize, type Materialized, planningWorkload, pushWorkloads, type Workload} from './lib/workloads.js'

export const TARGETS = {
  speedupC4At25: 3.5,
  speedupC16At25: 12,
  sustainedShare: 0.6,
  planningMs: 1000,
  hugeMemoryMb: 300,
  startupMs: 500,
} as const

export type ClientId = 'sequential' | 'gridsync-c4' | 'gridsync-c16'
export const CLIENTS: ClientId[] = ['sequential', 'gridsync-c4', 'gridsync-c16']

export interface RunRecord {
  wallMs: number
  cpuMs: number
  maxRssMb: number
  /** CPU time of the sandbox server during the run. */
  serverCpuMs: number
  requests: number
  /** Requests divided by the wall time of the whole process. */
  rps: number
  /** Requests per second between the first and the last request the server saw. */
  spanRps: number
  /** Requests per second over the middle 80% of the requests (from the one at 10% of the count to the one at 90%). */
  sustainedRps: number
  /** From the start of the process to the first request the server saw. */
  firstRequestMs: number
  /** From the last request the server saw to the end of the process. */
  afterLastRequestMs: number
  exitCode: number | null
  /** Routes where the requests sent differ from the minimum ("route: sent/minimum"). */
  extra: string[]
  /** Differences between the server after the run and the files; empty when in sync. */
  serverProblems: string[]
}

export interface CaseResult {
  workload: string
  latencyMs: number
  client: ClientId
  runs: RunRecord[]
  median: {
    wallMs: number
    cpuMs: number
    maxRssMb: number
    serverCpuMs: number
    rps: number
    spanRps: number
    sustainedRps: number
    firstRequestMs: number
    afterLastRequestMs: number
  }
  /** For runs without latency: the load generator's requests per second with as many connections, measured just before. */
  reference?: number
  requests: number
  minimum: number
  /** Median wall time of the sequential client over this one's (1 for the sequential client). */
  speedup?: number
  /** The same, counting only the time from the first request to the last (start-up and exit left out). */
  requestSpeedup?: number
}

export interface WorkloadInfo {
  id: string
  description: string
  maps: number
  fileBytes: number
  minimum: Minimum
}

export interface Results {
  schemaVersion: 1
  mode: 'full' | 'quick'
  runs: number
  startedAt: string
  durationS: number
  machine: Record<string, string | number>
  targets: typeof TARGETS
  /** Requests per second of the load generator by connections, with node:http and with got alone (same requests). */
  loadGenerator?: {url: string; byConnections: Record<string, number>; gotByConnections?: Record<string, number>}
  workloads: WorkloadInfo[]
  cases: CaseResult[]
  planning?: {workload: string; description: string; runs: Array<Record<string, number>>; median: Record<string, number>}
  huge?: {
    workload: string
    description: string
    planning: {runs: Array<Record<string, number>>; median: Record<string, number>}
    push: {runs: RunRecord[]; median: {wallMs: number; cpuMs: number; maxRssMb: number}; minimum: number}
    /** A second push right after one: in sync, with the first one's journal to read. */
    again: {runs: Array<{wallMs: number; cpuMs: number; maxRssMb: number; exitCode: number | null; requests: number}>; median: {wallMs: number; cpuMs: number; maxRssMb: number}}
  }
  startup?: Record<string, {runs: number[]; medianMs: number; medianCpuMs: number}>
  verdicts: Array<{target: string; met: boolean; figure: string}>
}

interface Options {
  quick: boolean
  runs: number
  only?: Set<string>
  /** Only these latencies (ms), where a workload runs at them. */
  latencies?: Set<number>
  writeDoc: boolean
}

function options(argv: string[]): Options {
  const quick = argv.includes('--quick')
  const runsAt = argv.indexOf('--runs')
  const onlyAt = argv.indexOf('--only')
  const latenciesAt = argv.indexOf('--latencies')
  return {
    quick,
    runs: runsAt >= 0 ? Number(argv[runsAt + 1]) : quick ? 1 : 3,
    only: onlyAt >= 0 ? new Set((argv[onlyAt + 1] ?? '').split(',')) : undefined,
    latencies: latenciesAt >= 0 ? new Set((argv[latenciesAt + 1] ?? '').split(',').map(Number)) : undefined,
    writeDoc: argv.includes('--write-doc'),
  }
}

function log(message: string): void {
  process.stderr.write(`${message}\n`)
}

function machine(): Record<string, string | number> {
  let cpu = os.cpus()[0]?.model ?? 'unknown'
  try {
    const match = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))
    if (match?.[1]) cpu = match[1].trim()
  } catch {
    // not Linux
  }
  let commit = 'unknown'
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {cwd: ROOT, encoding: 'utf8'}).trim()
  } catch {
    // not a checkout
  }
  return {
    cpus: os.availableParallelism(),
    cpuModel: cpu,
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    commit,
    loadAverageAtStart: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  }
}

/** Latencies each workload runs at: the slowest (25 ms) only for a few, to keep the suite short. */
function latenciesFor(w: Workload, quick: boolean): number[] {
  const at25 = quick ? ['create-100'] : ['create-10', 'create-100', 'edit-100']
  const base = quick ? [0] : [0, 5]
  return at25.includes(w.id) ? [...base, 25] : base
}

function quickWorkloads(all: Workload[]): Workload[] {
  return all.filter((w) => ['create-10', 'create-100', 'edit-100', 'edit-1000x1000'].includes(w.id))
}

async function runClient(client: ClientId, url: string, w: Workload, m: Materialized): Promise<ProcessRun> {
  const prune = w.prune ? ['--prune'] : []
  if (client === 'sequential') return measure(join(CLIENTS_DIR, `sequential${EXT}`), [url, m.mapsDir, ...prune], {cwd: m.dir})
  const concurrency = client === 'gridsync-c4' ? '4' : '16'
  return measure(CLI, ['push', '--server', url, '--maps-dir', m.mapsDir, '--concurrency', concurrency, ...prune], {cwd: m.dir})
}

/** Where the requests of a run fell in time (BENCH_TIMELINE=1): runs of the same kind of request. */
function describeTimeline(timeline: Array<[number, string]>, startedAt: number): string {
  const parts: string[] = []
  let kind = ''
  let from = 0
  let count = 0
  let to = 0
  const close = (): void => {
    if (count > 0) parts.push(`${kind} x${count} ${Math.round(from - startedAt)}-${Math.round(to - startedAt)}`)
  }
  for (const [at, route] of timeline) {
    const k = route.startsWith('GET') ? (route === 'GET /api/maps/<map>/' ? 'read' : route) : 'write'
    if (k !== kind) {
      close()
      kind = k
      from = at
      count = 0
    }
    count++
    to = at
  }
  close()
  return parts.join(', ')
}

/** Median time from the first request the server saw to the last. */
function requestSpan(c: CaseResult): number {
  return c.median.wallMs - c.median.firstRequestMs - c.median.afterLastRequestMs
}

function spanRate(stats: Stats): number {
  if (stats.firstAt === undefined || stats.lastAt === undefined || stats.total < 2 || stats.lastAt <= stats.firstAt) return Number.NaN
  return ((stats.total - 1) / (stats.lastAt - stats.firstAt)) * 1000
}

async function runCase(sandbox: SandboxProcess, w: Workload, m: Materialized, minimum: Minimum, latencyMs: number, client: ClientId, runs: number): Promise<CaseResult> {
  const records: RunRecord[] = []
  const references: number[] = []
  for (let i = 0; i < runs; i++) {
    // Without latency, the load generator's pace with as many connections, just before: the machine is shared, so the reference is taken under the same conditions.
    if (latencyMs === 0 && client !== 'sequential') references.push(await loadGeneratorRps(sandbox, client === 'gridsync-c4' ? 4 : 16, 3000))
    await sandbox.load(m.seedFile, latencyMs)
    await rm(join(m.mapsDir, '.gridsync'), {recursive: true, force: true})
    const run = await runClient(client, sandbox.url, w, m)
    const stats = await sandbox.stats()
    if (stats.timeline) log(`  ${client}: ${describeTimeline(stats.timeline, run.startedAt)}`)
    const serverProblems = await sandbox.check(m.mapsDir)
    if (run.code !== 0) log(`  ${client} exited ${run.code}: ${run.stderr.slice(0, 500)}`)
    records.push({
      wallMs: run.wallMs,
      cpuMs: run.cpuMs,
      maxRssMb: run.maxRssMb,
      serverCpuMs: stats.cpuMs ?? Number.NaN,
      requests: stats.total,
      rps: (stats.total / run.wallMs) * 1000,
      spanRps: spanRate(stats),
      sustainedRps: stats.sustainedRps ?? Number.NaN,
      firstRequestMs: (stats.firstAt ?? Number.NaN) - run.startedAt,
      afterLastRequestMs: run.exitedAt - (stats.lastAt ?? Number.NaN),
      exitCode: run.code,
      extra: routeDifferences(stats.byRoute, minimum.byRoute),
      serverProblems,
    })
  }
  const pick = (k: keyof RunRecord): number => median(records.map((r) => r[k] as number))
  return {
    workload: w.id,
    latencyMs,
    client,
    runs: records,
    median: {
      wallMs: pick('wallMs'),
      cpuMs: pick('cpuMs'),
      maxRssMb: pick('maxRssMb'),
      serverCpuMs: pick('serverCpuMs'),
      rps: pick('rps'),
      spanRps: pick('spanRps'),
      sustainedRps: pick('sustainedRps'),
      firstRequestMs: pick('firstRequestMs'),
      afterLastRequestMs: pick('afterLastRequestMs'),
    },
    requests: Math.max(...records.map((r) => r.requests)),
    minimum: minimum.total,
    ...(references.length > 0 ? {reference: median(references)} : {}),
  }
}

async function planOf(sandbox: SandboxProcess, w: Workload, m: Materialized): Promise<Minimum> {
  await sandbox.load(m.seedFile, 0)
  const prune = w.prune ? ['--prune'] : []
  const diff = await measure(CLI, ['diff', '--json', '--server', sandbox.url, '--maps-dir', m.mapsDir, ...prune], {cwd: m.dir})
  if (diff.code !== 0) throw new Error(`${w.id}: gridsync diff exited ${diff.code}: ${diff.stderr}`)
  return minimumRequests(JSON.parse(diff.stdout) as PlanDoc)
}

/** The load generator's requests per second: POSTs of obstacles to a new map, no latency, kept-alive connections. */
async function loadGeneratorRps(sandbox: SandboxProcess, connections: number, count: number, library: 'node' | 'got' = 'node'): Promise<number> {
  await sandbox.load(undefined, 0)
  const run = await measure(join(CLIENTS_DIR, `load-generator${EXT}`), [sandbox.url, String(connections), String(count), library])
  if (run.code !== 0) throw new Error(`load generator: ${run.stderr}`)
  const result = JSON.parse(run.stdout) as {rps: number; cpuMs: number}
  if (process.env.BENCH_TIMELINE === '1') {
    const stats = await sandbox.stats()
    log(
      `  load generator (${library}): ${stats.total} requests, server CPU ${(((stats.cpuMs ?? 0) / stats.total) * 1000).toFixed(0)} us a request, client CPU ${((result.cpuMs / count) * 1000).toFixed(0)} us`,
    )
  }
  return result.rps
}

async function loadGenerator(sandbox: SandboxProcess, runs: number, quick: boolean, library: 'node' | 'got'): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for (const connections of [4, 16]) {
    const rps: number[] = []
    for (let i = 0; i < runs; i++) rps.push(await loadGeneratorRps(sandbox, connections, quick ? 3000 : 10_000, library))
    out[String(connections)] = median(rps)
  }
  return out
}

async function planning(w: Workload, m: Materialized, runs: number): Promise<{runs: Array<Record<string, number>>; median: Record<string, number>}> {
  if (!m.seedFile) throw new Error('the planning workload needs a server seed')
  const records: Array<Record<string, number>> = []
  for (let i = 0; i < runs; i++) {
    const run = await measure(join(CLIENTS_DIR, `planning${EXT}`), [m.mapsDir, m.seedFile])
    if (run.code !== 0) throw new Error(`${w.id}: planning: ${run.stderr}`)
    records.push({...(JSON.parse(run.stdout) as Record<string, number>), processMaxRssMb: run.maxRssMb})
  }
  const keys = Object.keys(records[0] ?? {})
  return {runs: records, median: Object.fromEntries(keys.map((k) => [k, median(records.map((r) => r[k] as number))]))}
}

async function startup(runs: number): Promise<Results['startup']> {
  const out: Results['startup'] = {}
  const commands: Record<string, string[]> = {'gridsync --help': ['--help'], 'gridsync validate (sample maps)': ['validate', '--maps-dir', join(ROOT, 'maps')]}
  for (const [label, args] of Object.entries(commands)) {
    const walls: number[] = []
    const cpus: number[] = []
    for (let i = 0; i < runs; i++) {
      const run = await measure(CLI, args, {cwd: ROOT})
      if (run.code !== 0) throw new Error(`${label} exited ${run.code}: ${run.stderr}`)
      walls.push(run.wallMs)
      cpus.push(run.cpuMs)
    }
    out[label] = {runs: walls.map((w) => Math.round(w)), medianMs: median(walls), medianCpuMs: median(cpus)}
  }
  return out
}

function verdicts(r: Results): Results['verdicts'] {
  const out: Results['verdicts'] = []
  const pushes = r.cases.filter((c) => c.client !== 'sequential')
  const runsAll = pushes.flatMap((c) => c.runs)
  const atMinimum = runsAll.filter((run) => run.extra.length === 0).length
  const hugeRuns = r.huge?.push.runs ?? []
  const hugeAtMin = hugeRuns.filter((run) => run.extra.length === 0).length
  out.push({
    target: 'requests sent = the plan minimum, every push run',
    met: atMinimum === runsAll.length && hugeAtMin === hugeRuns.length,
    figure: `${atMinimum + hugeAtMin} of ${runsAll.length + hugeRuns.length} runs`,
  })
  const checked = [...runsAll, ...hugeRuns]
  const synced = checked.filter((run) => run.exitCode === 0 && run.serverProblems.length === 0).length
  out.push({target: 'every push run exits 0 and leaves the server equal to the files', met: synced === checked.length, figure: `${synced} of ${checked.length} runs`})
  for (const [client, target] of [
    ['gridsync-c4', TARGETS.speedupC4At25],
    ['gridsync-c16', TARGETS.speedupC16At25],
  ] as const) {
    const cases = r.cases.filter((c) => c.latencyMs === 25 && c.client === client)
    if (cases.length === 0) continue
    // Cut, not rounded: a near miss never reads as met.
    const figures = cases.map((c) => `${c.workload} ${cut(c.speedup)}x (requests only ${cut(c.requestSpeedup)}x)`)
    out.push({
      target: `25 ms latency, ${client === 'gridsync-c4' ? 'default --concurrency 4' : '--concurrency 16'}: >= ${target}x faster than the sequential client`,
      met: cases.every((c) => (c.speedup ?? 0) >= target),
      figure: figures.join(', '),
    })
  }
  for (const [client, connections] of [
    ['gridsync-c4', 4],
    ['gridsync-c16', 16],
  ] as const) {
    const zero = r.cases.filter((c) => c.latencyMs === 0 && c.client === client && c.reference)
    if (zero.length === 0) continue
    const shares = zero.map((c) => ({id: c.workload, share: c.median.sustainedRps / (c.reference as number)}))
    out.push({
      target:
        `0 ms latency, ${client === 'gridsync-c4' ? 'default --concurrency 4' : '--concurrency 16'}: sustained requests/s >= ${TARGETS.sustainedShare * 100}% ` +
        `of the load generator's with ${connections} connections${client === 'gridsync-c16' ? ' (for information)' : ''}`,
      met: shares.every((x) => x.share >= TARGETS.sustainedShare),
      figure: shares.map((x) => `${x.id} ${Math.round(x.share * 100)}%`).join(', '),
    })
  }
  const lg = r.loadGenerator
  if (lg?.gotByConnections) {
    // The HTTP library's own ceiling: the same requests through got, with nothing else around them.
    const shares = Object.entries(lg.gotByConnections).map(([n, rps]) => ({n, share: rps / (lg.byConnections[n] ?? Number.NaN)}))
    out.push({
      target: `(for information) got alone, same requests and connections: >= ${TARGETS.sustainedShare * 100}% of the load generator's rate`,
      met: shares.every((x) => x.share >= TARGETS.sustainedShare),
      figure: shares.map((x) => `${Math.floor(x.share * 100)}% with ${x.n}`).join(', '),
    })
  }
  if (r.planning) {
    out.push({
      target: `local planning of 500 maps of 100x100 < ${TARGETS.planningMs} ms`,
      met: (r.planning.median.totalMs ?? Infinity) < TARGETS.planningMs,
      figure: `${Math.round(r.planning.median.totalMs ?? Number.NaN)} ms`,
    })
  }
  if (r.huge) {
    const hugeMem = Math.max(r.huge.push.median.maxRssMb, r.huge.again.median.maxRssMb, r.huge.planning.median.processMaxRssMb ?? 0)
    out.push({
      target: `peak memory on a 2,000x2,000 map < ${TARGETS.hugeMemoryMb} MB`,
      met: hugeMem < TARGETS.hugeMemoryMb,
      figure:
        `push ${Math.round(r.huge.push.median.maxRssMb)} MB, push again (journal to read) ${Math.round(r.huge.again.median.maxRssMb)} MB, ` +
        `planning ${Math.round(r.huge.planning.median.processMaxRssMb ?? Number.NaN)} MB`,
    })
  }
  for (const [label, s] of Object.entries(r.startup ?? {})) {
    out.push({target: `${label} starts in < ${TARGETS.startupMs} ms`, met: s.medianMs < TARGETS.startupMs, figure: `${Math.round(s.medianMs)} ms`})
  }
  return out
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2))
  if (!existsSync(join(ROOT, 'dist', 'commands', 'push.js'))) throw new Error('build first: npm run build')
  const started = Date.now()
  const scratch = join(os.tmpdir(), `gridsync-bench-${process.pid}`)
  await mkdir(scratch, {recursive: true})
  const sandbox = await SandboxProcess.start()
  try {
    const results: Partial<Results> = {
      schemaVersion: 1,
      mode: opts.quick ? 'quick' : 'full',
      runs: opts.runs,
      startedAt: new Date(started).toISOString(),
      machine: machine(),
      targets: TARGETS,
      workloads: [],
      cases: [],
    }
    log(`gridsync bench (${results.mode}, ${opts.runs} run${opts.runs === 1 ? '' : 's'} per case), sandbox at ${sandbox.url}`)

    const section = (id: string): boolean => !opts.only || opts.only.has(id)
    if (section('startup')) {
      log('startup')
      results.startup = await startup(opts.quick ? 5 : 11)
    }

    if (section('load')) {
      log('load generator')
      const runs = opts.quick ? 1 : 3
      results.loadGenerator = {
        url: 'POST /api/maps/<slug>/obstacles/ (the endpoint a push uses most), on a new 2,000x2,000 map',
        byConnections: await loadGenerator(sandbox, runs, opts.quick, 'node'),
        gotByConnections: await loadGenerator(sandbox, runs, opts.quick, 'got'),
      }
    }

    let workloads = pushWorkloads()
    if (opts.quick) workloads = quickWorkloads(workloads)
    if (opts.only) workloads = workloads.filter((w) => opts.only?.has(w.id))
    for (const w of workloads) {
      const m = await materialize(w, scratch)
      const minimum = await planOf(sandbox, w, m)
      results.workloads!.push({id: w.id, description: w.description, maps: w.files.length, fileBytes: m.bytes, minimum})
      for (const latencyMs of latenciesFor(w, opts.quick).filter((l) => !opts.latencies || opts.latencies.has(l))) {
        const cases: CaseResult[] = []
        for (const client of CLIENTS) {
          const c = await runCase(sandbox, w, m, minimum, latencyMs, client, opts.runs)
          cases.push(c)
          log(
            `${w.id} @${latencyMs}ms ${client}: ${Math.round(c.median.wallMs)} ms, ${c.requests}/${c.minimum} requests, ` +
              `${Math.round(c.median.rps)}/s (sustained ${Math.round(c.median.sustainedRps)}/s${c.reference ? ` = ${Math.round((c.median.sustainedRps / c.reference) * 100)}% of the load generator's ${Math.round(c.reference)}/s` : ''}), first request at ${Math.round(c.median.firstRequestMs)} ms, exit ${Math.round(c.median.afterLastRequestMs)} ms after the last, cpu ${Math.round(c.median.cpuMs)} ms (server ${Math.round(c.median.serverCpuMs)} ms), rss ${Math.round(c.median.maxRssMb)} MB`,
          )
        }
        const seq = cases.find((c) => c.client === 'sequential')!
        for (const c of cases) {
          c.speedup = seq.median.wallMs / c.median.wallMs
          c.requestSpeedup = requestSpan(seq) / requestSpan(c)
        }
        results.cases!.push(...cases)
      }
      await rm(m.dir, {recursive: true, force: true})
    }

    if (section('planning')) {
      log('local planning: 500 maps of 100x100')
      const w = planningWorkload()
      const m = await materialize(w, scratch)
      results.planning = {workload: w.id, description: w.description, ...(await planning(w, m, opts.quick ? 3 : 5))}
      await rm(m.dir, {recursive: true, force: true})
    }

    if (section('huge')) {
      log('a 2,000x2,000 map: planning and push')
      const w = hugeWorkload()
      const m = await materialize(w, scratch)
      const plan = await planning(w, m, opts.quick ? 1 : 3)
      const minimum = await planOf(sandbox, w, m)
      const runs = opts.quick ? 1 : 3
      const push = await runCase(sandbox, w, m, minimum, 0, 'gridsync-c4', runs)
      // Once more right after the last of those: nothing to do, but the journal of the first to read.
      const again: NonNullable<Results['huge']>['again']['runs'] = []
      for (let i = 0; i < runs; i++) {
        const run = await runClient('gridsync-c4', sandbox.url, w, m)
        const stats = await sandbox.stats()
        again.push({wallMs: run.wallMs, cpuMs: run.cpuMs, maxRssMb: run.maxRssMb, exitCode: run.code, requests: stats.total})
        if (run.code !== 0) log(`  push again exited ${run.code}: ${run.stderr.slice(0, 500)}`)
      }
      const middle = (k: 'wallMs' | 'cpuMs' | 'maxRssMb'): number => median(again.map((r) => r[k]))
      results.huge = {
        workload: w.id,
        description: w.description,
        planning: plan,
        push: {runs: push.runs, median: {wallMs: push.median.wallMs, cpuMs: push.median.cpuMs, maxRssMb: push.median.maxRssMb}, minimum: minimum.total},
        again: {runs: again, median: {wallMs: middle('wallMs'), cpuMs: middle('cpuMs'), maxRssMb: middle('maxRssMb')}},
      }
      await rm(m.dir, {recursive: true, force: true})
    }

    results.durationS = Math.round((Date.now() - started) / 1000)
    results.machine!.loadAverageAtEnd = os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')
    const full = results as Results
    full.verdicts = verdicts(full)

    const dir = join(ROOT, 'bench', 'results')
    await mkdir(dir, {recursive: true})
    const markdown = renderMarkdown(full)
    await writeFile(join(dir, 'latest.json'), `${JSON.stringify(full, null, 2)}\n`)
    await writeFile(join(dir, 'latest.md'), markdown)
    if (opts.writeDoc) await writeDoc(markdown)
    process.stdout.write(markdown)
    log(`written: bench/results/latest.json, bench/results/latest.md${opts.writeDoc ? ', BENCHMARKS.md' : ''} (${full.durationS} s)`)
  } finally {
    await sandbox.stop()
    await rm(scratch, {recursive: true, force: true})
  }
}

const START = '<!-- results:start -->'
const END = '<!-- results:end -->'

/** Replaces the results section of BENCHMARKS.md (between its markers) with the new table. */
async function writeDoc(markdown: string): Promise<void> {
  const file = join(ROOT, 'BENCHMARKS.md')
  const text = await readFile(file, 'utf8')
  const from = text.indexOf(START)
  const to = text.indexOf(END)
  if (from < 0 || to < from) throw new Error(`BENCHMARKS.md has no ${START} ... ${END} section`)
  await writeFile(file, `${text.slice(0, from + START.length)}\n${markdown}${text.slice(to)}`)
}

await main()
