import * as Flags from '@oclif/core/flags'

import {asFileAccessError} from '../file-access.js'
import {LOG_FORMATS, type LogFormat, RunLog} from '../log/index.js'
import {exitCodeOf} from './base-command.js'

/** Flags of the commands that log a run (validate, diff, push, pull). */
export const logFlags = {
  'log-format': Flags.option({
    options: LOG_FORMATS,
    default: 'text' as LogFormat,
    env: 'GRIDSYNC_LOG_FORMAT',
    summary: 'text: the human report and a summary line. json: one JSON event per line on stderr (run, plan, each operation with its timing, verification, end), and only the summary line on stdout.',
    helpGroup: 'LOG',
  })(),
  'log-file': Flags.string({
    env: 'GRIDSYNC_LOG_FILE',
    summary: 'Append every event of the run to this file, in the --log-format (its directory must exist).',
    helpValue: 'PATH',
    helpGroup: 'LOG',
  }),
  quiet: Flags.boolean({
    char: 'q',
    env: 'GRIDSYNC_QUIET',
    default: false,
    summary: 'Print only problems (failed or skipped operations, invalid files, unverified maps, warnings), and the summary line only when there were some. The exit code is the same.',
    helpGroup: 'LOG',
  }),
}

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
  quiet: boolean
  token?: string
  header?: string[]
}

/** What a run's log needs from the command it belongs to. */
export interface LoggingCommand {
  config: {version: string}
  jsonEnabled(): boolean
  log(message: string): void
  warn(message: string): unknown
}

/**
 * The log of one run of `command`, set up from its flags. `document` says stdout carries
 * a document other than the human report (`diff --format patch`); `--json` counts as one.
 */
export function openRunLog(
  cmd: LoggingCommand,
  command: string,
  flags: LogFlags,
  opts: {document?: boolean; summaryAfterDocument?: boolean; reportHasSummary?: boolean} = {},
): RunLog {
  return new RunLog({
    command,
    version: cmd.config.version,
    format: flags['log-format'],
    quiet: flags.quiet,
    document: cmd.jsonEnabled() || opts.document === true,
    summaryAfterDocument: !cmd.jsonEnabled() && opts.summaryAfterDocument === true,
    reportHasSummary: opts.reportHasSummary,
    logFile: flags['log-file'],
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

/** The value of a `Name: value` header flag (the whole flag when it has no colon). */
function headerValue(line: string): string {
  const colon = line.indexOf(':')
  return colon < 0 ? line : line.slice(colon + 1).trim()
}
