import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../cli/base-command.js'
import {connectionFlags} from '../cli/connection.js'
import {mapsDirFlag, withEnv} from '../cli/flags.js'
import {pushHalt} from '../cli/halts.js'
import {logFlags} from '../cli/log-flags.js'
import {lockFlags} from '../cli/lock-flags.js'
import {selectionFlags} from '../cli/sync-flags.js'
import {ExitCode, GridsyncError, WRITING_RUN_EXIT_CODES} from '../exit-codes.js'
import {withFileAccess} from '../file-access.js'
import {loadMapsDir} from '../format/index.js'
import {SyncPresenter} from '../presenters/sync.js'
import {allowedDeletes, parseDeleteLimit} from '../sync/guard.js'
import {planSync, runSync, syncDryRunExitCode} from '../sync/two-way.js'

const {'max-delete': maxDelete, yes, 'stale-window': staleWindow, 'skip-version-check': skipVersionCheck} = selectionFlags

export default class Sync extends BaseCommand<typeof Sync> {
  static override summary = 'Sync both ways, per object: edits in the files go to the server, edits on the server into the files.'
  static override description =
    'Compares each map in three states: its file, the server, and the base (what both last agreed on, kept in .gridsync/sync-base.json). An object (the size, an observer, an obstacle) changed on one side only is carried to the other; one changed on both sides differently is a conflict: both keep their value and the report shows the three, while the rest of the map still syncs. Maps on one side only are created on the other; a map deleted on one side and unchanged on the other since the base is deleted there too (a file is moved to .gridsync/backup/). Files are changed minimally and atomically, the previous one kept in the backup folder. Invalid files are never written, and their maps are left alone.'

  static override enableJsonFlag = true
  static override exitCodes = [...WRITING_RUN_EXIT_CODES, ExitCode.CHANGES_PENDING]

  static override examples = [
    {description: 'What would a sync do? (writes nothing):', command: '<%= config.bin %> <%= command.id %> --dry-run --server https://maps.example.org'},
    {description: 'Sync, taking the server side of every conflict:', command: '<%= config.bin %> <%= command.id %> --prefer remote'},
    {description: 'Rehearse against the in-process sandbox:', command: '<%= config.bin %> <%= command.id %> --server sandbox'},
  ]

  static override flags = {
    ...connectionFlags,
    'maps-dir': mapsDirFlag,
    yes,
    'stale-window': staleWindow,
    'skip-version-check': skipVersionCheck,
    ...withEnv({
      'max-delete': Flags.string({
        summary: 'Stop before any change when the sync deletes more maps (on the server and in files together) than this: a number, or a percentage of the maps.',
        default: maxDelete.default as string,
        helpValue: 'N|N%',
      }),
      prefer: Flags.option({options: ['local', 'remote'] as const, summary: 'Resolve every conflict of the run one way: the files (local) or the server (remote).'})(),
      'dry-run': Flags.boolean({summary: 'Write nothing: show what a sync would do both ways.', default: false}),
      'exit-code': Flags.boolean({
        summary: 'With --dry-run: exit 3 when a sync has anything to do, 4 when a map is in conflict, 8 when the server is not known to match yet.',
        default: false,
      }),
    }),
    ...lockFlags,
    ...logFlags,
  }

  async run(): Promise<unknown> {
    const {flags} = this
    const dryRun = flags['dry-run']
    return this.lifecycle({interruption: true, lock: !dryRun, connect: 'before'}, async ({interruption, log, server}) => {
      const limit = parseDeleteLimit(flags['max-delete'])
      const mapsDir = flags['maps-dir']
      const loaded = await withFileAccess('the maps directory', () => loadMapsDir(mapsDir))
      const {client} = server.conn
      const input = {server: server.conn.server, mapsDir, loaded, prefer: flags.prefer, staleWindowMs: flags['stale-window'] * 1000, concurrency: flags.concurrency}
      const planned = await planSync(client, input)
      const view = {chalk: this.chalk, verbose: flags.verbose, dryRun}
      if (dryRun) return new SyncPresenter(planned.plan, undefined, syncDryRunExitCode(planned.plan, flags['exit-code']), view)

      const deletes = planned.plan.maps.filter((m) => m.action === 'delete-on-server' || m.action === 'delete-file')
      const allowed = allowedDeletes(limit, planned.plan.maps.length)
      if (!flags.yes && deletes.length > allowed) {
        const names = deletes.map((m) => `"${m.name}"`).join(', ')
        throw new GridsyncError(
          `The sync deletes ${deletes.length} maps (${names}), on the server or in files, more than --max-delete allows (${allowed}). Nothing was changed. If that is intended, raise --max-delete or pass --yes.`,
          ExitCode.GUARD,
          'DELETE_GUARD',
        )
      }

      interruption.cutOffAfter((reason) => client.halt(reason))
      interruption.throwIfInterrupted('before anything was sent')
      const outcome = await runSync(client, planned, {
        server: server.conn.server,
        mapsDir,
        concurrency: flags.concurrency,
        halt: pushHalt(interruption, client),
        onResult: (r) => log.operation(r),
      })
      return new SyncPresenter(planned.plan, outcome, outcome.exitCode, view)
    })
  }
}
