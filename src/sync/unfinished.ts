import type {Journal} from './journal.js'

/** One warning for each earlier run the journal shows ended without finishing (killed, power lost). */
export function unfinishedRunWarnings(journal: Journal): string[] {
  return journal
    .interruptedRuns()
    .map(
      (run) =>
        `An earlier gridsync ${run.command} (started ${run.at}) ended without finishing` +
        (run.inFlight > 0 ? `; its ${run.inFlight} write${run.inFlight === 1 ? '' : 's'} in flight count as done until a trusted read shows otherwise.` : '.'),
    )
}
