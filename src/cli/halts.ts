import type {APIDataSource} from '../api/index.js'
import {ExitCode} from '../exit-codes.js'
import type {Halt} from '../sync/halt.js'
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
