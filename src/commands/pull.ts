import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../cli/base-command.js'
import {connectionFlags} from '../cli/connection.js'
import {pullMapsDirFlag} from '../cli/flags.js'
import {lockFlags} from '../cli/lock-flags.js'
import {logFlagsFor} from '../cli/log-flags.js'
import {selectionFlags} from '../cli/sync-flags.js'
import {ExitCode} from '../exit-codes.js'
import {PullPresenter} from '../presenters/pull.js'
import {pull} from '../pull/index.js'

export default class Pull extends BaseCommand<typeof Pull> {
  static override summary = 'Download the maps that have no file yet into the maps directory.'
  static override description = `Checks the server's API version, then writes one map file, in the canonical format, for every map on the server that no file in the maps directory carries by name. Existing files are never touched unless --overwrite is given; then a file that differs from the server is replaced and its previous content kept in <maps dir>/.gridsync/backup/<time>/. File names are made safe from the map's slug (lowercase letters, digits and dashes, .map) and never collide with a file already there. Each file is written atomically, so an interrupted pull leaves no half-written map. A map the format cannot express (two observers on one tile, an observer on an obstacle, something outside the bounds, more observers than symbols) is not written but reported with the reason. Like push, it holds the maps directory's lock while it runs (a dry run, which writes nothing, does not).`

  static override enableJsonFlag = true
  static override exitCodes = [
    ExitCode.OK,
    ExitCode.UNEXPECTED,
    ExitCode.USAGE,
    ExitCode.OPERATIONS_FAILED,
    ExitCode.NETWORK,
    ExitCode.CONTRACT,
    ExitCode.LOCKED,
    ExitCode.FILE_ACCESS,
  ]

  static override examples = [
    {description: 'Start a maps directory from a server:', command: '<%= config.bin %> <%= command.id %> --server https://maps.example.org'},
    {description: 'See what would be written, writing nothing:', command: '<%= config.bin %> <%= command.id %> --dry-run'},
    {description: 'Reset one map file to the server version (the old file is backed up):', command: '<%= config.bin %> <%= command.id %> --only "Fancy Map" --overwrite'},
  ]

  static override flags = {
    ...connectionFlags,
    'maps-dir': pullMapsDirFlag,
    only: selectionFlags.only,
    'skip-version-check': selectionFlags['skip-version-check'],
    ...lockFlags,
    overwrite: Flags.boolean({summary: 'Replace files that differ from the server, backing up their content first.', default: false}),
    'dry-run': Flags.boolean({summary: 'List what would be written; write nothing.', default: false}),
    ...logFlagsFor('pull'),
  }

  async run(): Promise<unknown> {
    const {flags} = this
    const mapsDir = flags['maps-dir']
    // A dry run writes nothing, so it neither creates the directory nor takes its lock.
    const lock = flags['dry-run'] ? false : 'create'
    return this.lifecycle({lock, connect: 'before'}, async ({server}) => {
      const result = await pull(server.conn.client, {
        server: server.conn.server,
        mapsDir,
        only: flags.only,
        overwrite: flags.overwrite,
        dryRun: flags['dry-run'],
        concurrency: flags.concurrency,
      })
      return new PullPresenter(result, {server: server.conn.server, mapsDir, chalk: this.chalk})
    })
  }
}
