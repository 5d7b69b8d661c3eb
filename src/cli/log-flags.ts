import {createRequire} from 'node:module'

import * as Flags from '@oclif/core/flags'

import {asFileAccessError} from '../file-access.js'
import {LOG_FORMATS, type LogFormat} from '../log/index.js'
import {RunLog} from '../presenters/run-log.js'
import {exitCodeOf} from './exit-code-of.js'
import {withEnv} from './flags.js'

/** Flags of the commands that log a run (validate, diff, push, pull). */
export const logFlags = withEnv({
  'log-format': Flags.option({
    options: LOG_FORMATS,
    default: 'text' as LogFormat,
    env: 'GRIDSYNC_LOG_FORMAT',
    summary:
      'text: the human report and a summary line. json: one JSON event per line on stderr (run, plan, each operation with its timing, verification, end), and only the summary line on stdout.',
    helpGroup: 'LOG',
  })(),
  'log-file': Flags.string({
    env: 'GRIDSYNC_LOG_FILE',
    summary: 'Append every event of the run to this file, in the --log-file-format, whatever --quiet says (its directory is created if missing).',
    helpValue: 'PATH',
    helpGroup: 'LOG',
  }),
  'log-file-format': Flags.option({
    options: LOG_FORMATS,
    default: 'json' as LogFormat,
    summary:
      'json: one JSON event per line (NDJSON), for machines; text: one plain line per event. Independent of --log-format, so stderr can stay text for people (cron mail) while the file is NDJSON.',
    helpGroup: 'LOG',
  })(),
  quiet: Flags.boolean({
    char: 'q',
    env: 'GRIDSYNC_QUIET',
    default: false,
    summary:
      'Print only problems (failed or skipped operations, invalid files, unverified maps, warnings), and the summary line only when there were some. The exit code is the same.',
    helpGroup: 'LOG',
  }),
  verbose: Flags.boolean({
    summary:
      'List every change, failure and difference in the text report. Given twice (or with DEBUG=gridsync:http), also trace every HTTP request on stderr: method, URL, status, duration and attempt; never a header value.',
    helpGroup: 'LOG',
  }),
})

/** What each command that logs a run reports as problems, and the events of its JSON log. */
const LOGGED = {
  validate: {problems: 'invalid files and warnings', events: 'run, each invalid file, end'},
  diff: {problems: 'invalid files, maps in conflict, warnings', events: 'run, plan, each invalid file and conflict, end'},
  pull: {problems: 'maps not written and why, warnings', events: 'run, each map with what was done, end'},
} as const

/** The log flags of validate, diff or pull: those of push, described in that command's terms. */
export function logFlagsFor(command: keyof typeof LOGGED): typeof logFlags {
  const {problems, events} = LOGGED[command]
  return {
    ...logFlags,
    'log-format': {
      ...logFlags['log-format'],
      summary: `text: the human report and a summary line. json: one JSON event per line on stderr (${events}), and only the summary line on stdout.`,
    },
    quiet: {
      ...logFlags.quiet,
      summary: `Print only problems (${problems}), and the summary line only when there were some. The exit code is the same.`,
    },
  }
}

export interface LogFlags {
  'log-format': LogFormat
  'log-file'?: string
  'log-file-format'?: LogFormat
  quiet: boolean
  verbose?: boolean
  token?: string
  header?: string[]
}

/** What a run's log needs from the command it belongs to. */
export interface LoggingCommand {
  config: {version: string}
  /** The command line after the command's name. */
  argv: string[]
  jsonEnabled(): boolean
  log(message: string): void
  warn(message: string): unknown
}

/** How a run's log shares stdout with the command's own output. */
export interface RunLogOptions {
  /** stdout carries a document other than the human report (`diff --format patch`); `--json` counts as one. */
  document?: boolean
  /** The summary line may follow that document on stdout. */
  summaryAfterDocument?: boolean
  /** The human report ends with a summary line of its own (validate). */
  reportHasSummary?: boolean
}

/** The log of one run of `command`, set up from its flags. */
export function openRunLog(cmd: LoggingCommand, command: string, flags: LogFlags, opts: RunLogOptions = {}): RunLog {
  return new RunLog({
    command,
    version: cmd.config.version,
    format: flags['log-format'],
    quiet: flags.quiet,
    document: cmd.jsonEnabled() || opts.document === true,
    summaryAfterDocument: !cmd.jsonEnabled() && opts.summaryAfterDocument === true,
    reportHasSummary: opts.reportHasSummary,
    logFile: flags['log-file'],
    logFileFormat: flags['log-file-format'],
    trace: traceRequested(cmd.argv, flags.verbose === true),
    secrets: [flags.token, ...(flags.header ?? []).map(headerValue)],
    exitCodeOf,
    describeError: asFileAccessError,
    output: {
      stdout: (text) => cmd.log(text),
      stderr: (line) => process.stderr.write(line + '\n'),
      warn: (message) => cmd.warn(message),
    },
  })
}

/**
 * Whether HTTP requests are traced: `--verbose` given twice on the command line, or the
 * DEBUG variable naming `gridsync:http` (as the debug package reads it: `gridsync:*`,
 * `*`, lists, `-` exclusions).
 */
export function traceRequested(argv: readonly string[], verbose: boolean, debugEnabled: (namespace: string) => boolean = debugOn): boolean {
  const end = argv.indexOf('--')
  const times = (end < 0 ? argv : argv.slice(0, end)).filter((arg) => arg === '--verbose').length
  return (verbose && times >= 2) || debugEnabled(HTTP_DEBUG_NAMESPACE)
}

export const HTTP_DEBUG_NAMESPACE = 'gridsync:http'

/** The debug package's reading of DEBUG; loaded only when DEBUG is set. */
function debugOn(namespace: string): boolean {
  if (!process.env.DEBUG) return false
  const createDebug = createRequire(import.meta.url)('debug') as typeof import('debug')
  return createDebug.enabled(namespace)
}

/** The value of a `Name: value` header flag (the whole flag when it has no colon). */
function headerValue(line: string): string {
  const colon = line.indexOf(':')
  return colon < 0 ? line : line.slice(colon + 1).trim()
}
