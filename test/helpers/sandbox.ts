import {after, before, beforeEach} from 'node:test'

import {type Sandbox, type SandboxClock, type SandboxOptions, startSandbox} from '../../src/sandbox/index.js'

/** Runs `fn` against a fresh sandbox and closes it afterwards, whatever happens. */
export async function withSandbox<T>(options: SandboxOptions, fn: (sandbox: Sandbox) => Promise<T>): Promise<T> {
  const sandbox = await startSandbox(options)
  try {
    return await fn(sandbox)
  } finally {
    await sandbox.close()
  }
}

/**
 * One sandbox for the enclosing describe(): started before its tests, reset (data,
 * cache, counts, defects) before each, closed after. Call the returned function inside
 * a test to get it.
 */
export function useSandbox(options: SandboxOptions = {}): () => Sandbox {
  let sandbox: Sandbox | undefined
  before(async () => {
    sandbox = await startSandbox(options)
  })
  beforeEach(() => sandbox?.reset())
  after(() => sandbox?.close())
  return () => {
    if (!sandbox) throw new Error('useSandbox(): the sandbox is only there inside tests')
    return sandbox
  }
}

/**
 * A clock under the test's control: `now()` moves only by `advance()`, and sleeps are
 * recorded and end at once, or, after `hold()`, when `release()` is called.
 */
export class FakeClock implements SandboxClock {
  time = 0
  readonly sleeps: number[] = []
  private held: Array<() => void> | undefined
  private waiters: Array<{count: number; resolve: () => void}> = []

  now(): number {
    return this.time
  }

  advance(ms: number): void {
    this.time += ms
  }

  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms)
    const ready = this.waiters.filter((w) => this.sleeps.length >= w.count)
    this.waiters = this.waiters.filter((w) => this.sleeps.length < w.count)
    for (const w of ready) w.resolve()
    const held = this.held
    return held ? new Promise((resolve) => held.push(resolve)) : Promise.resolve()
  }

  hold(): void {
    this.held = []
  }

  release(): void {
    const held = this.held ?? []
    this.held = undefined
    for (const resolve of held) resolve()
  }

  /** Resolves once `count` sleeps have begun in all. */
  sleepsStarted(count: number): Promise<void> {
    if (this.sleeps.length >= count) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({count, resolve}))
  }
}
