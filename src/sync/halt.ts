/**
 * A run that stops sending before the end of its plan: the server stopped answering,
 * the run was interrupted, or its journal cannot be written. What was not sent is
 * reported as not sent (skipped), never as failed, and is left for the next run.
 */
import type {ExitCode} from '../exit-codes.js'
import type {ApplyResult} from './result-types.js'

export interface Halt {
  /** Why nothing more is sent, e.g. "interrupted by SIGINT". */
  reason: string
  /** The exit code the run ends with. */
  exitCode: ExitCode
}

/** How much of the plan a halted run sent. */
export interface HaltTally {
  /** Operations sent (whatever their outcome). */
  sent: number
  /** Operations not sent: they are left for the next run. */
  notSent: number
  total: number
}

/** Operations sent and not sent; every skipped operation was not sent. */
export function haltTally(apply: ApplyResult): HaltTally {
  const notSent = apply.counts.skipped
  return {sent: apply.results.length - notSent, notSent, total: apply.results.length}
}

/** `Stopped sending: <reason>. 120 of 10,461 operations were sent; 10,341 were not and are left for the next run.` */
export function haltNotice(halt: Halt, apply: ApplyResult): string {
  const t = haltTally(apply)
  const n = (x: number): string => x.toLocaleString('en-US')
  const left = t.notSent === 0 ? 'none was left unsent' : `${n(t.notSent)} ${t.notSent === 1 ? 'was' : 'were'} not and ${t.notSent === 1 ? 'is' : 'are'} left for the next run`
  return `Stopped sending: ${halt.reason}. ${n(t.sent)} of ${n(t.total)} ${t.total === 1 ? 'operation' : 'operations'} ${t.sent === 1 ? 'was' : 'were'} sent; ${left}.`
}
