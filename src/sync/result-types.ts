import type {Evidence} from './knowledge.js'
import type {Halt} from './halt.js'
import type {Operation} from './plan-types.js'

/**
 * What happened to each operation of a plan.
 * - applied: the server acknowledged it.
 * - reconciled: the server's answer disagreed with a stale read (409 on a create, 404 on
 *   a delete) and a check showed the intended state already holds.
 * - unconfirmed: the answer was lost after the request may have reached the server (a
 *   connection dropped, a timeout, a gateway that gave up), so it may or may not have
 *   been carried out; a create is not re-sent, since that could duplicate. The next
 *   run settles it by reading.
 * - failed: the server refused it or could not be reached.
 * - skipped: something it depends on failed.
 */
export type OpOutcome = 'applied' | 'reconciled' | 'unconfirmed' | 'failed' | 'skipped'

export interface OpResult {
  op: Operation
  outcome: OpOutcome
  /** Why it failed, was skipped or was reconciled. */
  detail?: string
  /** HTTP status of the final answer, when there was one. */
  status?: number
  /** URL of what a create made (from its Location), or of the map a 409 was settled against. */
  url?: string
  durationMs: number
  /** When it ended (ISO 8601). */
  at?: string
  /** Whether a request was sent for it (a failed operation may have been refused before sending). */
  sent?: boolean
}

export interface ApplyResult {
  results: OpResult[]
  counts: Record<OpOutcome, number>
  /** Set when the run stopped sending before the end of its plan (see ApplyOptions.halt). */
  halted?: Halt
}

/**
 * The verdict on one map after reading it back.
 * - confirmed: the server holds exactly the file's content.
 * - not-applied: the read shows changes, but lacks some the server acknowledged
 *   (the reference server's obstacle deletes).
 * - unconfirmed: the read is identical to the one before the writes (a caching server
 *   and ignored writes cannot be told apart), the state came from the journal, or the
 *   map could not be read back.
 * - incomplete: some operations on it failed or were skipped; the read shows the rest.
 * - conflict: someone else changed it on the server since gridsync last knew it; left alone.
 */
export type Verdict = 'confirmed' | 'not-applied' | 'unconfirmed' | 'incomplete' | 'conflict'

export interface MapVerification {
  name: string
  verdict: Verdict
  /** Objects where the server differs from the file, e.g. 'obstacle (3,4) still present'. */
  differences: string[]
  /** What the user can do about it. */
  advice?: string
  /** What the verdict rests on: the kind of evidence, when it was taken, until when it cannot tell. */
  evidence?: Evidence
}

export interface Verification {
  maps: MapVerification[]
  /** True when verification was skipped (--no-verify). */
  skipped: boolean
}
