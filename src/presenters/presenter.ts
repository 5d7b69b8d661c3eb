/**
 * A presenter is everything a run shows of one command result, in one place: the
 * events it logs, the human report, the `--json` document, the tallies of the run's
 * last event and the exit code. Each command's result has exactly one (src/presenters/
 * diff.ts, push.ts, pull.ts, validate.ts), in the manner of the formatters of the `sf`
 * CLI's deploy and retrieve commands; the base command's lifecycle (src/cli/lifecycle.ts)
 * shows it in the same order for every command: events, exit code, report, last event,
 * document. The rendering helpers it uses stay in src/render/.
 */

import type {ExitCode} from '../exit-codes.js'
import type {RunTotals} from '../log/index.js'
import type {RunLog} from './run-log.js'

export interface Presenter {
  /** The run's exit code: the process ends with it, and the document and the last event state it. */
  readonly exitCode: ExitCode
  /** Logs the result's events; they come before its report. */
  logEvents(log: RunLog): void
  /** The human report, block by block (each printed as one line or group of lines); shown when the log shows a report. */
  report(): string[]
  /** Text asked for in place of the report, always printed on stdout (`diff --format patch`); absent when there is none. */
  page?: () => Promise<string>
  /** The tallies of the run's last event and summary line. */
  totals(): RunTotals
  /** The `--json` document, its exit code at the top. */
  document(): unknown
}
