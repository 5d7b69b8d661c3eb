import {ExitCode, GridsyncError} from '../exit-codes.js'
import type {Halt} from '../sync/halt.js'

/** How long the requests under way get to end after an interruption before they are cut off. */
export const SETTLE_SECONDS = 5

const EXIT_OF: Readonly<Record<string, ExitCode>> = {SIGINT: ExitCode.INTERRUPTED, SIGTERM: ExitCode.TERMINATED}

/**
 * SIGINT and SIGTERM during a run that writes. The first one stops the run from sending
 * anything new; the requests under way get SETTLE_SECONDS to end, then are cut off (see
 * cutOffAfter); then the run records what happened in its journal and log, prints its
 * summary and exits 130 (SIGINT) or 143 (SIGTERM). A second signal ends the process at
 * once with that code: what the journal holds by then is what the next run goes by.
 */
export class Interruption {
  private received: NodeJS.Signals | undefined
  private readonly controller = new AbortController()
  private readonly onFirst: Array<(signal: NodeJS.Signals) => void> = []
  private readonly beforeExit: Array<() => void> = []
  private readonly handler = (signal: NodeJS.Signals): void => this.receive(signal)

  private constructor(private readonly notice: (message: string) => void) {}

  /** Listens for SIGINT and SIGTERM until dispose(); `notice` gets a line for the user when one comes. */
  static watch(notice: (message: string) => void): Interruption {
    const interruption = new Interruption(notice)
    process.on('SIGINT', interruption.handler)
    process.on('SIGTERM', interruption.handler)
    return interruption
  }

  /** Aborted at the first signal. */
  get signal(): AbortSignal {
    return this.controller.signal
  }

  /** The exit code of the run, once interrupted. */
  get exitCode(): ExitCode | undefined {
    return this.received === undefined ? undefined : (EXIT_OF[this.received] ?? ExitCode.INTERRUPTED)
  }

  /** The halt to report, once interrupted (see ApplyOptions.halt). */
  halt(): Halt | undefined {
    const exitCode = this.exitCode
    return exitCode === undefined ? undefined : {reason: `interrupted by ${this.received}`, exitCode}
  }

  /** Runs `fn` at the first signal (at once, if it has come already). */
  whenInterrupted(fn: (signal: NodeJS.Signals) => void): void {
    if (this.received) fn(this.received)
    else this.onFirst.push(fn)
  }

  /** Runs `fn` (synchronous, must not throw) before a second signal ends the process, e.g. to release the lock. */
  beforeForcedExit(fn: () => void): () => void {
    this.beforeExit.push(fn)
    return () => {
      const i = this.beforeExit.indexOf(fn)
      if (i >= 0) this.beforeExit.splice(i, 1)
    }
  }

  /** Cuts off what is under way SETTLE_SECONDS after the first signal (`cut` gets the reason). */
  cutOffAfter(cut: (reason: string) => void, seconds = SETTLE_SECONDS): void {
    this.whenInterrupted((signal) => {
      setTimeout(() => cut(`interrupted by ${signal}; cut off after ${seconds} s`), seconds * 1000).unref()
    })
  }

  /** Ends the run with the interruption's exit code if it has come (`when`: e.g. "before anything was sent"). */
  throwIfInterrupted(when: string): void {
    const exitCode = this.exitCode
    if (exitCode !== undefined) throw new GridsyncError(`interrupted by ${this.received} ${when}`, exitCode, 'INTERRUPTED')
  }

  /**
   * Runs the work; an error it ends with after an interruption (a wait for the lock cut
   * short, reads cut off) is reported as the interruption, with its exit code.
   */
  async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      const exitCode = this.exitCode
      if (exitCode === undefined || (error instanceof GridsyncError && error.exitCode === exitCode)) throw error
      throw new GridsyncError(`interrupted by ${this.received}: ${(error as Error).message}`, exitCode, 'INTERRUPTED')
    }
  }

  dispose(): void {
    process.off('SIGINT', this.handler)
    process.off('SIGTERM', this.handler)
  }

  private receive(signal: NodeJS.Signals): void {
    if (this.received) {
      for (const fn of this.beforeExit) fn()
      process.exit(this.exitCode)
    }

    this.received = signal
    this.notice(
      `${signal} received: nothing new is sent; the requests under way get up to ${SETTLE_SECONDS} s to end, then the run records what happened and exits ${this.exitCode}. A second ${signal} ends it at once.`,
    )
    this.controller.abort()
    for (const fn of this.onFirst.splice(0)) fn(signal)
  }
}
