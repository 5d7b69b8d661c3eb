/** A run's log: typed events, text and NDJSON lines, stderr and an appended file, secrets redacted. It knows events, not the results they tell of. */
export {
  type EventBody,
  type Level,
  levelOf,
  LOG_FORMATS,
  type LogEvent,
  type LogFormat,
  type OperationKind,
  type OperationOutcome,
  type PlanCounts,
  type PullStatus,
  type RunTotals,
  type Verdict,
} from './events.js'
export {type AttemptEvent, EventLog, type EventLogOutput, type EventLogSettings} from './event-log.js'
export {FileSink} from './file-sink.js'
export {escapeControls, formatEvent, formatText, summaryLine} from './format.js'
export {Logger, type LoggerOptions, type Route} from './logger.js'
export {markLoggedToStderr, wasLoggedToStderr} from './logged-errors.js'
export {REDACTED, Redactor} from './redact.js'
