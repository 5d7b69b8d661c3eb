import {type EventBody, type LogEvent, type LogFormat, requestTraceEvent, type RunTotals, runStartEvent} from './events.js'
import {FileSink} from './file-sink.js'
import {summaryLine} from './format.js'
import {markLoggedToStderr} from './logged-errors.js'
import {Logger, type Route} from './logger.js'
import {Redactor} from './redact.js'

/** One HTTP attempt as the API client reports it. */
export interface AttemptEvent {
  method: string
  url: string
  status?: number
  error?: string
  durationMs: number
  attempt: number
}

export interface EventLogOutput {
  /** A line (or block of lines) on stdout. */
  stdout: (text: string) => void
  /** A line on stderr. */
  stderr: (line: string) => void
  /** A `Warning:` line for people, on stderr. */
  warn: (message: string) => void
}

export interface EventLogSettings {
  command: string
  version: string
  format: LogFormat
  quiet: boolean
  /**
   * stdout carries a document the user asked for (`--json`, `diff --format patch`): the
   * human report, problem lines and summary line stay off it.
   */
  document: boolean
  /** The document is text that the summary line may follow on stdout (`diff --format patch`). */
  summaryAfterDocument?: boolean
  /** The command's human report already ends with a one-line summary (validate). */
  reportHasSummary?: boolean
  logFile?: string
  /** The format of the log file: NDJSON unless asked otherwise, whatever --log-format says. */
  logFileFormat?: LogFormat
  /** Trace every HTTP attempt on stderr (and in the log file) as a `request` event. */
  trace?: boolean
  /** Values that must never appear in any output of the log (the token, header values). */
  secrets: ReadonlyArray<string | undefined>
  /** The exit code an error that stops the run stands for. */
  exitCodeOf(error: Error): number
  /** The error as it is reported, e.g. a failed file system call in words; thrown on in its place. */
  describeError?: (error: Error) => Error
  output: EventLogOutput
  now?: () => number
  pid?: number
}

/** Events that stand for a problem with one object: what `--quiet` lists on stdout in text mode. */
function isObjectProblem(e: LogEvent): boolean {
  if (e.event === 'request') return false
  return e.level !== 'info' && e.event !== 'warning' && e.event !== 'error' && e.event !== 'run-end'
}

/**
 * A run's log and what goes where (the events themselves are built by whoever knows
 * the result they tell of: see src/presenters/):
 * - stdout: the human report then the one-line summary (text); only the summary
 *   (`--log-format json`); with `--quiet`, only problems, and the summary only if
 *   there were any; nothing of this next to a requested document.
 * - stderr: every event as NDJSON with `--log-format json` (only problems with
 *   `--quiet`); otherwise `Warning:` lines.
 * - `--log-file`: every event in the chosen format, appended, whatever `--quiet` says.
 */
export class EventLog {
  /** Whether the human report goes to stdout. */
  readonly showReport: boolean
  /** Whether a progress bar may be drawn (it only is on a terminal). */
  readonly showProgress: boolean
  /** Hears every HTTP attempt when the request trace is on; undefined otherwise. */
  readonly onRequest: ((attempt: AttemptEvent) => void) | undefined
  private readonly logger: Logger
  private readonly file: FileSink | undefined
  private readonly started: number
  private problems = 0
  private ended = false

  /** Opens the log file, if any; a file that cannot be opened is a usage error (exit 2). */
  constructor(private readonly s: EventLogSettings) {
    const now = s.now ?? Date.now
    this.started = now()
    const textMode = s.format === 'text'
    this.showReport = textMode && !s.quiet && !s.document
    this.showProgress = textMode && !s.quiet
    this.file = s.logFile === undefined ? undefined : FileSink.open(s.logFile, (message) => this.warning(message))

    const traced = (e: LogEvent): boolean => e.event === 'request'
    const routes: Route[] = []
    if (!textMode) routes.push({format: 'json', write: s.output.stderr, accepts: (e) => !s.quiet || e.level !== 'info' || traced(e)})
    // The trace is a diagnostic on stderr: in text mode, it is the only thing there besides warnings.
    if (textMode && s.trace) routes.push({format: 'text', write: s.output.stderr, accepts: traced})
    if (this.file) routes.push({format: s.logFileFormat ?? 'json', write: (line) => this.file?.write(line)})
    if (textMode && s.quiet && !s.document) routes.push({format: 'text', write: s.output.stdout, accepts: isObjectProblem})
    const redactor = new Redactor()
    for (const secret of s.secrets) redactor.add(secret)
    this.logger = new Logger({command: s.command, routes, redactor, now})
    this.onRequest = s.trace ? (attempt) => this.emit(requestTraceEvent(attempt)) : undefined
  }

  /**
   * Runs a command's work between its `run-start` and its `run-end`. An error that stops
   * it is logged (an `error` event, then `run-end` with its exit code) and thrown on.
   */
  async run<T>(ctx: {server?: string; mapsDir?: string}, work: () => Promise<T>): Promise<T> {
    try {
      this.emit(runStartEvent({version: this.s.version, ...ctx, pid: this.s.pid ?? process.pid}))
      return await work()
    } catch (thrown) {
      const error = this.s.describeError?.(thrown as Error) ?? (thrown as Error)
      const exitCode = this.s.exitCodeOf(error)
      this.emit({event: 'error', message: error.message, exitCode})
      this.end(exitCode, {counts: {}, summary: 'stopped by an error'})
      if (this.s.format === 'json') markLoggedToStderr(error)
      throw error
    } finally {
      this.file?.close()
    }
  }

  /**
   * A warning for people: an event, and a `Warning:` line on stderr in text mode, unless
   * `shownInReport` says the human report, when it is shown, prints the warning itself.
   */
  warning(message: string, opts: {shownInReport?: boolean} = {}): void {
    const e = this.emit({event: 'warning', message})
    if (e.event === 'warning' && this.s.format === 'text' && !(opts.shownInReport === true && this.showReport)) this.s.output.warn(e.message)
  }

  /** One HTTP attempt: logged when it did not succeed (an error status, or no answer), or always with the trace on. */
  attempt(a: AttemptEvent): void {
    // With the trace on, every attempt; otherwise those that did not succeed, retried or not.
    if (this.onRequest) this.onRequest(a)
    else if (a.error !== undefined || (a.status ?? 0) >= 400) this.emit(requestTraceEvent(a))
  }

  /** Part of the human report; shown only when the report is (see showReport). */
  report(text: string): void {
    if (this.showReport) this.s.output.stdout(text)
  }

  /** The last event of a run that finished, and the summary line on stdout. */
  end(exitCode: number, totals: RunTotals): void {
    if (this.ended) return
    this.ended = true
    const e = this.emit({event: 'run-end', exitCode, durationMs: (this.s.now ?? Date.now)() - this.started, ...totals})
    if (e.event !== 'run-end' || (this.s.document && this.s.summaryAfterDocument !== true)) return
    const problems = this.problems > 0 || e.level !== 'info'
    const summaryInReport = this.showReport && this.s.reportHasSummary === true
    if ((!this.s.quiet || problems) && !summaryInReport) this.s.output.stdout(summaryLine(e))
  }

  /** Logs one event (stamped, redacted, routed); returns it as it was written. */
  emit(body: EventBody): LogEvent {
    const e = this.logger.emit(body)
    if (e.level !== 'info' && e.event !== 'run-end') this.problems++
    return e
  }
}
