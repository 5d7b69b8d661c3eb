import {type ChildProcess, fork} from 'node:child_process'
import {join} from 'node:path'

import {EXT, LIB_DIR} from './paths.js'
import type {Command, Stats} from './sandbox-process.js'

/** The harness's handle on the sandbox server process. */
export class SandboxProcess {
  private next = 0
  private readonly waiting = new Map<number, {resolve: (v: unknown) => void; reject: (e: Error) => void}>()

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.on('message', (m: {id: number; result?: unknown; error?: string}) => {
      const w = this.waiting.get(m.id)
      if (!w) return
      this.waiting.delete(m.id)
      if (m.error) w.reject(new Error(`sandbox process: ${m.error}`))
      else w.resolve(m.result)
    })
  }

  static async start(): Promise<SandboxProcess> {
    const execArgv = EXT === '.ts' ? ['--import', 'tsx'] : []
    const child = fork(join(LIB_DIR, `sandbox-process${EXT}`), [], {execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc']})
    const url = await new Promise<string>((resolve, reject) => {
      child.once('error', reject)
      child.once('exit', (code) => reject(new Error(`the sandbox process exited (${code})`)))
      child.once('message', (m: {ready?: string}) => (m.ready ? resolve(m.ready) : reject(new Error('unexpected message'))))
    })
    child.removeAllListeners('exit')
    return new SandboxProcess(child, url)
  }

  private call<T>(command: Command): Promise<T> {
    const id = this.next++
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, {resolve: resolve as (v: unknown) => void, reject})
      this.child.send({id, ...command})
    })
  }

  /** Empties the server, loads the seed (a JSON array of maps), sets the latency, zeroes the counts. */
  load(seedFile: string | undefined, latencyMs: number): Promise<boolean> {
    return this.call({cmd: 'load', seedFile, latencyMs})
  }

  stats(): Promise<Stats> {
    return this.call({cmd: 'stats'})
  }

  /** Problems found comparing the server with the maps directory; empty when it matches. */
  check(dir: string): Promise<string[]> {
    return this.call({cmd: 'check', dir})
  }

  async stop(): Promise<void> {
    await this.call({cmd: 'stop'}).catch(() => {})
    this.child.kill()
  }
}
