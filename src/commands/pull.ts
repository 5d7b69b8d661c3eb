import {mkdir} from 'node:fs/promises'

import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../cli/base-command.js'
import {connect, connectionFlags} from '../cli/connection.js'
import {mapsDirFlag} from '../cli/flags.js'
import {lockFlags, withLock} from '../cli/lock-flags.js'
import {logFlags, openRunLog} from '../cli/log-flags.js'
import {selectionFlags} from '../cli/sync-flags.js'
import {checkServerVersion} from '../cli/version-check.js'
import {ExitCode, GridsyncError} from '../exit-codes.js'
import {pullTotals, type RunLog} from '../log/index.js'
import {pull, pullDocument, pullExitCode, renderPull} from '../pull/index.js'

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
  ]

  static override examples = [
    {description: 'Start a maps directory from a server:', command: '<%= config.bin %> <%= command.id %> --server https://maps.example.org'},
    {description: 'See what would be written, writing nothing:', command: '<%= config.bin %> <%= command.id %> --dry-run'},
    {description: 'Reset one map file to the server version (the old file is backed up):', command: '<%= config.bin %> <%= command.id %> --only "Fancy Map" --overwrite'},
  ]

  static override flags = {
    ...connectionFlags,
    'maps-dir': mapsDirFlag,
    only: selectionFlags.only,
    'skip-version-check': selectionFlags['skip-version-check'],
    ...lockFlags,
    overwrite: Flags.boolean({summary: 'Replace files that differ from the server, backing up their content first.', default: false}),
    'dry-run': Flags.boolean({summary: 'List what would be written; write nothing.', default: false}),
    ...logFlags,
  }

  async run(): Promise<unknown> {
    const {flags} = this
    const log = openRunLog(this, 'pull', flags)
    return log.run({server: flags.server, mapsDir: flags['maps-dir']}, async () => {
      // A dry run writes nothing, so it neither creates the directory nor takes its lock.
      if (flags['dry-run']) return this.runPull(log)
      const dir = flags['maps-dir']
      try {
        await mkdir(dir, {recursive: true})
      } catch (error) {
        throw new GridsyncError(`cannot create the maps directory "${dir}": ${(error as Error).message}`, ExitCode.USAGE, 'MAPS_DIR')
      }
      return withLock(dir, {command: 'pull', waitSeconds: flags['wait-lock'], notice: (m) => log.warning(m)}, () => this.runPull(log))
    })
  }

  private async runPull(log: RunLog): Promise<unknown> {
    const {flags} = this
    const conn = await connect({...flags, onRequest: log.onRequest})
    try {
      for (const w of conn.warnings) log.warning(w)
      await checkServerVersion(conn.client, flags['skip-version-check'], (w) => log.warning(w))
      const result = await pull(conn.client, {
        server: conn.server,
        mapsDir: flags['maps-dir'],
        only: flags.only,
        overwrite: flags.overwrite,
        dryRun: flags['dry-run'],
        concurrency: flags.concurrency,
      })
      for (const w of result.warnings) log.warning(w)
      for (const entry of result.maps) log.pullMap(entry)
      const exitCode = pullExitCode(result)
      this.setExitCode(exitCode)
      log.report(renderPull(result, {mapsDir: flags['maps-dir'], chalk: this.chalk}))
      log.end(exitCode, pullTotals(result))
      return this.jsonEnabled() ? pullDocument(result, {server: conn.server, mapsDir: flags['maps-dir']}) : undefined
    } finally {
      await conn.close()
    }
  }
}
