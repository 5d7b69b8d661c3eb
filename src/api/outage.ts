/**
 * When to stop talking to a server that has stopped answering. Pure: the client reports
 * every HTTP attempt (an answer, or none), and asks before each request and each retry.
 *
 * An attempt that gets no usable answer (the connection refused, reset or timed out, or
 * an answer of 5xx) is a failure; any other answer, 4xx included, shows the server is
 * there. The server counts as gone once `minFailures` attempts in a row have failed and
 * nothing has answered for `minSilenceMs`: a blip that the retries ride out (about a
 * second with the defaults) or a restart of a few seconds does not stop a run, and a
 * dead server stops it within seconds, not after every remaining operation has used up
 * its retries. Once gone, it stays gone for the rest of the run.
 *
 * What that costs with the defaults (3 retries, backoff 0.1-0.2, 0.2-0.4, 0.4-0.8 s,
 * --timeout 30 s): a process that died refuses connections at once, so the run stops
 * about 5 s after its last answer; a server that hangs (answers nothing, connections
 * open) is noticed when the requests in flight time out: at 4 requests at a time, 30 s
 * after it stopped (one timeout each); one at a time, 90 s (three timeouts in a row).
 * The client then cuts off the requests still waiting on it.
 */

export interface OutagePolicy {
  /** Failed attempts in a row, at least. */
  minFailures: number
  /** Time without any answer, at least. */
  minSilenceMs: number
}

export const DEFAULT_OUTAGE_POLICY: OutagePolicy = {minFailures: 3, minSilenceMs: 5000}

/** The server stopped answering: since when, and what the last attempt met. */
export interface Outage {
  /** Failed attempts in a row when it was noticed. */
  failures: number
  /** How long nothing had answered then. */
  silentMs: number
  /** What the last failed attempt met, e.g. "connection refused" or "answered 503". */
  lastFailure: string
}

export class OutageWatch {
  private failures = 0
  private lastAnswerAt: number
  private lastFailure = ''
  private noticed: Outage | undefined

  constructor(
    private readonly policy: OutagePolicy = DEFAULT_OUTAGE_POLICY,
    private readonly now: () => number = Date.now,
  ) {
    this.lastAnswerAt = now()
  }

  /** An attempt got an answer that shows the server is there (anything but 5xx). */
  answered(): void {
    if (this.noticed) return
    this.failures = 0
    this.lastAnswerAt = this.now()
  }

  /** An attempt got no usable answer: `what` says what it met. */
  failed(what: string): void {
    if (this.noticed) return
    this.failures++
    this.lastFailure = what
    this.check()
  }

  /** The outage, once the server counts as gone; undefined while it does not. */
  outage(): Outage | undefined {
    return this.check()
  }

  private check(): Outage | undefined {
    if (this.noticed) return this.noticed
    const silentMs = this.now() - this.lastAnswerAt
    if (this.failures >= this.policy.minFailures && silentMs >= this.policy.minSilenceMs) {
      this.noticed = {failures: this.failures, silentMs, lastFailure: this.lastFailure}
    }

    return this.noticed
  }
}

/** An outage in words: `the server stopped answering (the last 12 attempts got no usable answer, the last one: connection refused; none for 5.2 s)`. */
export function describeOutage(o: Outage): string {
  const seconds = (o.silentMs / 1000).toFixed(1)
  return `the server stopped answering (the last ${o.failures} attempts got no usable answer, the last one: ${o.lastFailure}; none for ${seconds} s)`
}
