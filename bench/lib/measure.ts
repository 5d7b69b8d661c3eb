import {spawn} from 'node:child_process'
import {readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {pathToFileURL} from 'node:url'

import {EXT, LIB_DIR} from './paths.js'

/** One measured run of a child process. */
export interface ProcessRun {
  code: number | null
  signal: NodeJS.Signals | null
  /** From spawn to exit, as the parent saw it. */
  wallMs: number
  /** Spawn and exit times (epoch ms), to place the server's request times within the run. */
  startedAt: number
  exitedAt: number
  /** User + system CPU time of the child alone. */
  cpuMs: number
  /** Peak resident memory of the child alone. */
  maxRssMb: number
  stdout: string
  stderr: string
}

const HOOK = pathToFileURL(join(LIB_DIR, `rusage-hook${EXT}`)).href
let counter = 0

/**
 * Runs `node [execArgv] script args` and reports its wall time, CPU time and peak RSS
 * (from the child's own resourceUsage(), written at exit by the rusage hook).
 */
export async function measure(script: string, args: string[], opts: {execArgv?: string[]; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number} = {}): Promise<ProcessRun> {
  const usageFile = join(tmpdir(), `gridsync-bench-rusage-${process.pid}-${counter++}.json`)
  const env = {...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, GRIDSYNC_DEBUG: undefined, ...opts.env, BENCH_RUSAGE_FILE: usageFile}
  const started = performance.now()
  const child = spawn(process.execPath, [...(opts.execArgv ?? []), '--import', HOOK, script, ...args], {
    env,
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout.on('data', (b: Buffer) => out.push(b))
  child.stderr.on('data', (b: Buffer) => err.push(b))
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000)
  let exitedAt = 0
  const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', () => {
      exitedAt = performance.now()
    })
    child.on('close', (c, s) => resolve([c, s]))
  })
  const [code, signal] = await closed
  const wallMs = exitedAt - started
  clearTimeout(timer)
  let usage = {userUs: Number.NaN, systemUs: Number.NaN, maxRssKb: Number.NaN}
  try {
    usage = JSON.parse(await readFile(usageFile, 'utf8')) as typeof usage
  } catch {
    // killed before its exit handler ran
  }
  await rm(usageFile, {force: true})
  return {
    code,
    signal,
    wallMs,
    startedAt: performance.timeOrigin + started,
    exitedAt: performance.timeOrigin + exitedAt,
    cpuMs: (usage.userUs + usage.systemUs) / 1000,
    maxRssMb: usage.maxRssKb / 1024,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  }
}

export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}
