import * as Args from '@oclif/core/args'

import {BaseCommand} from '../cli/base-command.js'
import {mapsDirFlag} from '../cli/flags.js'
import {logFlagsFor, openRunLog} from '../cli/log-flags.js'
import {ExitCode} from '../exit-codes.js'
import {type Diagnostic, diagnosticLocation, formatDiagnostic, type LoadResult, loadMapsDir, type SkippedFile} from '../format/index.js'
import {validateTotals} from '../log/index.js'
import {SCHEMA_VERSION} from '../schema-version.js'

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

export default class Validate extends BaseCommand<typeof Validate> {
  static override summary = 'Check map files and report every problem as path:line:column.'
  static override description = `Reads the given map files, or every *.map file in the maps directory, and reports every problem in each one as path:line:column: message, followed by a one-line summary. Checks that span files are included: a map name used by two files, an observer name used in two maps, two names the server would turn into the same address (slug). Other files in the maps directory (notes, backups, .txt files) are not maps: they are listed as skipped, with the reason. Nothing is sent to the server.`
  static override strict = false
  static override enableJsonFlag = true
  static override flags = {'maps-dir': mapsDirFlag, ...logFlagsFor('validate')}
  static override args = {files: Args.string({description: 'map files to check (default: the whole maps directory)'})}
  static override exitCodes = [ExitCode.OK, ExitCode.UNEXPECTED, ExitCode.USAGE, ExitCode.INVALID_MAPS, ExitCode.FILE_ACCESS]
  static override examples = [
    {description: 'Check every map in ./maps.', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Check two files.', command: '<%= config.bin %> <%= command.id %> maps/fancy-map.map maps/garden.map'},
    {description: 'Check another directory, as JSON.', command: '<%= config.bin %> <%= command.id %> --maps-dir ./staging --json'},
  ]

  async run(): Promise<ValidateReport> {
    const dir = this.flags['maps-dir']
    const log = openRunLog(this, 'validate', this.flags, {reportHasSummary: true})
    return log.run({mapsDir: dir}, async () => {
      const report = toReport(await loadMapsDir(dir, this.positionals.length > 0 ? this.positionals : undefined))
      const {exitCode} = report
      this.setExitCode(exitCode)
      for (const file of report.files) {
        if (!file.valid)
          log.invalidFile(
            file.file,
            file.name,
            file.diagnostics.map((d) => formatDiagnostic(d)),
          )
        for (const d of file.diagnostics) log.report(`${this.chalk.bold(`${diagnosticLocation(d)}:`)} ${this.chalk.red(d.message)}`)
      }
      for (const {file, reason} of report.skipped) log.report(this.chalk.dim(`${file}: skipped, ${reason}`))
      log.report(this.summaryLine(report, dir))
      log.end(exitCode, validateTotals(report.summary))
      return report
    })
  }

  private summaryLine({summary, skipped}: ValidateReport, dir: string): string {
    const others = skipped.length === 0 ? '' : `; ${skipped.length} other ${skipped.length === 1 ? 'entry' : 'entries'} skipped`
    if (summary.files === 0) return this.chalk.yellow(`No map files (*.map) in ${dir}${others}.`)
    const files = `${summary.files} ${summary.files === 1 ? 'file' : 'files'} checked`
    if (summary.invalid === 0) return this.chalk.green(`${files}: all valid${others}`)
    const problems = `${summary.problems} ${summary.problems === 1 ? 'problem' : 'problems'}`
    return this.chalk.red(`${files}: ${summary.valid} valid, ${summary.invalid} invalid (${problems})${others}`)
  }
}

function toReport(loaded: LoadResult): ValidateReport {
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
