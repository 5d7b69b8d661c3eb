/**
 * What validate shows of the map files it checked: an event per invalid file, each
 * problem as `path:line:column: message` and a closing line in text, the report itself
 * as the `validate --json` document (its exit code inside), the tallies and the exit code.
 */

import type {ChalkInstance} from 'chalk'

import {ExitCode} from '../exit-codes.js'
import {type Diagnostic, diagnosticLocation, formatDiagnostic, type LoadResult, type SkippedFile} from '../format/index.js'
import type {RunTotals} from '../log/index.js'
import {count} from '../render/words.js'
import {SCHEMA_VERSION} from '../schema-version.js'
import type {Presenter} from './presenter.js'
import type {RunLog} from './run-log.js'

interface FileReport {
  file: string
  valid: boolean
  name?: string
  diagnostics: Diagnostic[]
}

export interface ValidateReport {
  schemaVersion: typeof SCHEMA_VERSION
  exitCode: ExitCode
  files: FileReport[]
  /** What else is in the maps directory and was not read, and why (empty when FILES are given). */
  skipped: SkippedFile[]
  summary: {files: number; valid: number; invalid: number; problems: number}
}

export class ValidatePresenter implements Presenter {
  readonly exitCode: ExitCode
  private readonly checked: ValidateReport

  constructor(
    loaded: LoadResult,
    private readonly view: {mapsDir: string; chalk: ChalkInstance},
  ) {
    this.checked = validateReport(loaded)
    this.exitCode = this.checked.exitCode
  }

  logEvents(log: RunLog): void {
    for (const file of this.checked.files) {
      if (file.valid) continue
      log.invalidFile(
        file.file,
        file.name,
        file.diagnostics.map((d) => formatDiagnostic(d)),
      )
    }
  }

  /** One line per problem, one per entry skipped, then the closing line. */
  report(): string[] {
    const {chalk} = this.view
    const lines = this.checked.files.flatMap((file) => file.diagnostics.map((d) => `${chalk.bold(`${diagnosticLocation(d)}:`)} ${chalk.red(d.message)}`))
    for (const {file, reason} of this.checked.skipped) lines.push(chalk.dim(`${file}: skipped, ${reason}`))
    lines.push(this.closingLine())
    return lines
  }

  totals(): RunTotals {
    return validateTotals(this.checked.summary)
  }

  document(): ValidateReport {
    return this.checked
  }

  private closingLine(): string {
    const {chalk, mapsDir} = this.view
    const {summary, skipped} = this.checked
    const others = skipped.length === 0 ? '' : `; ${skipped.length} other ${skipped.length === 1 ? 'entry' : 'entries'} skipped`
    if (summary.files === 0) return chalk.yellow(`No map files (*.map) in ${mapsDir}${others}.`)
    const files = `${summary.files} ${summary.files === 1 ? 'file' : 'files'} checked`
    if (summary.invalid === 0) return chalk.green(`${files}: all valid${others}`)
    const problems = `${summary.problems} ${summary.problems === 1 ? 'problem' : 'problems'}`
    return chalk.red(`${files}: ${summary.valid} valid, ${summary.invalid} invalid (${problems})${others}`)
  }
}

/** `3 files checked, 1 invalid (2 problems)`. */
export function validateTotals(s: {files: number; valid: number; invalid: number; problems: number}): RunTotals {
  const checked = `${count(s.files, 'file')} checked`
  return {
    counts: {files: s.files, valid: s.valid, invalid: s.invalid, problems: s.problems},
    summary: s.invalid === 0 ? `${checked}, all valid` : `${checked}, ${s.invalid} invalid (${count(s.problems, 'problem')})`,
  }
}

function validateReport(loaded: LoadResult): ValidateReport {
  const valid = new Map(loaded.maps.map((m) => [m.file, m.name]))
  const invalid = new Map(loaded.invalid.map((f) => [f.file, f]))
  const files = loaded.files.map((file): FileReport => {
    const bad = invalid.get(file)
    if (bad) return {file, valid: false, ...(bad.name === undefined ? {} : {name: bad.name}), diagnostics: bad.diagnostics}
    return {file, valid: true, name: valid.get(file), diagnostics: []}
  })
  return {
    schemaVersion: SCHEMA_VERSION,
    exitCode: loaded.invalid.length > 0 ? ExitCode.INVALID_MAPS : ExitCode.OK,
    files,
    skipped: loaded.skipped.map(({file, reason}) => ({file, reason})),
    summary: {
      files: files.length,
      valid: loaded.maps.length,
      invalid: loaded.invalid.length,
      problems: loaded.invalid.reduce((n, f) => n + f.diagnostics.length, 0),
    },
  }
}
