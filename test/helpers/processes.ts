import {type ChildProcess, spawn} from 'node:child_process'
import {readFile} from 'node:fs/promises'
import {createServer} from 'node:net'
import {setTimeout as sleep} from 'node:timers/promises'

import {BIN, type CliResult, ROOT} from './cli.js'

/** A TCP port that was free a moment ago, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** `gridsync sandbox` in a process of its own, as a user runs it; resolves once it listens. */
export async function startSandboxProcess(port: number, extra: string[] = []): Promise<{url: string; process: ChildProcess; exited: Promise<void>}> {
  const child = spawn(process.execPath, [BIN, 'sandbox', '--port', String(port), ...extra], {cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit']})
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const found = /listening on (\S+)/.exec(out)
      if (found) resolve(found[1]!)
    })
    child.once('exit', (code) => reject(new Error(`the sandbox ended (exit ${code}) before it listened: ${out}`)))
  })
  return {url, process: child, exited}
}

/** The built CLI in a child process, started now; `result` resolves when it ends, `stderr()` is what it wrote there so far. */
export function spawnCli(args: string[], opts: {env?: NodeJS.ProcessEnv} = {}): {child: ChildProcess; result: Promise<CliResult>; stderr: () => string} {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: {...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, GRIDSYNC_DEBUG: undefined, ...opts.env},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const result = new Promise<CliResult>((resolve) => {
    child.once('close', (code, signal) => resolve({code: code ?? (signal ? 128 : -1), stdout, stderr}))
  })
  return {child, result, stderr: () => stderr}
}

/** Waits until `ready()` holds; fails if `child` ends first. */
export async function until(ready: () => boolean | Promise<boolean>, child: ChildProcess, what: string): Promise<void> {
  for (;;) {
    if (await ready()) return
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the run ended before ${what}`)
    await sleep(25)
  }
}

/** The events of a journal, parsed. */
export async function journalEvents(file: string): Promise<Array<Record<string, unknown> & {t: string}>> {
  const text = await readFile(file, 'utf8').catch(() => '')
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown> & {t: string}]
      } catch {
        return []
      }
    })
}

/** Waits until the journal holds at least `count` events of type `t` (a run under way has got that far); fails if `child` ends first. */
export async function journalReaches(file: string, t: string, count: number, child: ChildProcess): Promise<void> {
  await until(async () => (await journalEvents(file)).filter((e) => e.t === t).length >= count, child, `its journal held ${count} "${t}" events`)
}
