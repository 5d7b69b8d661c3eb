import type {APIDataSource} from '../api/index.js'
import {ExitCode} from '../exit-codes.js'
import {type Halt, haltTally} from '../sync/halt.js'
import type {ApplyResult} from '../sync/result-types.js'
import type {Interruption} from './interrupt.js'

/**
 * What stops a push from sending more, most pressing first: an interruption (130, 143),
 * then a server that stopped answering (6).
 */
export function pushHalt(interruption: Interruption, client: Pick<APIDataSource, 'outage' | 'stopReason'>): () => Halt | undefined {
  return () => {
    const interrupted = interruption.halt()
    if (interrupted) return interrupted
    if (client.outage() === undefined) return undefined
    return {reason: client.stopReason() ?? 'the server stopped answering', exitCode: ExitCode.NETWORK}
  }
}

/**
 * A diff or push JSON document with what the run says beside the plan: the journal's
 * earlier unfinished runs first among the warnings and, when the push stopped sending
 * early, `stopped` {reason, exitCode, sent, notSent}.
 */
export function withRunNotes<D extends {warnings: string[]}>(doc: D, notes: {notices: readonly string[]; apply?: ApplyResult}): D {
  const halted = notes.apply?.halted
  const withNotices = {...doc, warnings: [...notes.notices, ...doc.warnings]}
  if (!halted || !notes.apply) return withNotices
  const {sent, notSent} = haltTally(notes.apply)
  return {...withNotices, stopped: {reason: halted.reason, exitCode: halted.exitCode, sent, notSent}}
}
