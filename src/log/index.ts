/** A run's log: typed events, text and NDJSON lines, stderr and an appended file, secrets redacted. */
export {type EventBody, type Level, levelOf, LOG_FORMATS, type LogEvent, type LogFormat} from './events.js'
export {FileSink} from './file-sink.js'
export {escapeControls, formatEvent, formatText, summaryLine} from './format.js'
export {Logger, type LoggerOptions, type Route} from './logger.js'
export {REDACTED, Redactor} from './redact.js'
export {RunLog, type RunLogOutput, type RunLogSettings} from './run-log.js'
export {diffTotals, pullTotals, pushTotals, type RunTotals, validateTotals} from './totals.js'
