import * as Args from '@oclif/core/args'

import {BaseCommand} from '../cli/base-command.js'
import {mapsDirFlag} from '../cli/flags.js'
import {logFlagsFor} from '../cli/log-flags.js'
import {ExitCode} from '../exit-codes.js'
import {loadMapsDir} from '../format/index.js'
import {ValidatePresenter} from '../presenters/validate.js'

export type {ValidateReport} from '../presenters/validate.js'

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

  async run(): Promise<unknown> {
    const mapsDir = this.flags['maps-dir']
    return this.lifecycle({output: {reportHasSummary: true}}, async () => {
      const loaded = await loadMapsDir(mapsDir, this.positionals.length > 0 ? this.positionals : undefined)
      return new ValidatePresenter(loaded, {mapsDir, chalk: this.chalk})
    })
  }
}
