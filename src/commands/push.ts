import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../cli/base-command.js'
import {connectionFlags} from '../cli/connection.js'
import {mapsDirFlag} from '../cli/flags.js'
import {lockFlags, withLock} from '../cli/lock-flags.js'
import {logFlags, openRunLog} from '../cli/log-flags.js'
import {planFromFlags} from '../cli/plan-run.js'
import {Progress} from '../cli/progress.js'
import {selectionFlags} from '../cli/sync-flags.js'
import {ExitCode} from '../exit-codes.js'
import {pushTotals} from '../log/index.js'
import {pushDocument, renderApply, renderPlan, renderVerification} from '../render/index.js'
import {enforceDeleteGuard, parseDeleteLimit} from '../sync/guard.js'
import {push, pushExitCode} from '../sync/session.js'

export default class Push extends BaseCommand<typeof Push> {
  static override summary = 'Make the server match the map files, then read it back to verify.'
  static override description =
    "Checks the server's API version, computes the plan (as `diff` shows it), creates, updates and deletes on the server until it matches the files, then reads back every map it touched. Maps whose files are invalid are left alone; the others are still synced."

  static override enableJsonFlag = true
  static override exitCodes = [
    ExitCode.OK,
    ExitCode.UNEXPECTED,
    ExitCode.USAGE,
    ExitCode.OPERATIONS_FAILED,
    ExitCode.INVALID_MAPS,
    ExitCode.NETWORK,
    ExitCode.CONTRACT,
    ExitCode.NOT_VERIFIED,
    ExitCode.GUARD,
    ExitCode.LOCKED,
  ]

  static override examples = [
    {description: 'Sync the maps directory to a server:', command: '<%= config.bin %> <%= command.id %> --server https://maps.example.org'},
    {description: 'Rehearse against an empty in-process sandbox:', command: '<%= config.bin %> <%= command.id %> --server sandbox'},
    {description: 'Also delete maps that have no file, reporting as JSON:', command: '<%= config.bin %> <%= command.id %> --prune --json'},
  ]

  static override flags = {
    ...connectionFlags,
    'maps-dir': mapsDirFlag,
    ...selectionFlags,
    ...lockFlags,
    ...logFlags,
    verify: Flags.boolean({allowNo: true, default: true, summary: 'Read back what was touched and compare it with the files (--no-verify skips it).'}),
  }

  async run(): Promise<unknown> {
    const {flags} = this
    const log = openRunLog(this, 'push', flags)
    return log.run({server: flags.server, mapsDir: flags['maps-dir']}, async () => {
      const deleteLimit = parseDeleteLimit(flags['max-delete'])
      return withLock(flags['maps-dir'], {command: 'push', waitSeconds: flags['wait-lock'], notice: (m) => log.warning(m)}, async () => {
        const {conn, planned} = await planFromFlags({...flags, onRequest: log.onRequest}, (w) => log.warning(w))
        try {
          enforceDeleteGuard(planned.plan, deleteLimit, flags.yes)
          log.plan(planned.plan)
          log.report(renderPlan(planned.plan, {chalk: this.chalk, picture: false, verbose: flags.verbose}))

          const progress = log.showProgress ? new Progress(planned.plan.operations.length) : undefined
          const outcome = await push(conn.client, planned, {
            server: conn.server,
            concurrency: flags.concurrency,
            verify: flags.verify,
            onResult(r) {
              progress?.tick()
              log.operation(r)
            },
          })
          progress?.end()
          log.verification(outcome.verification)
          const exitCode = pushExitCode(planned.plan, outcome)
          this.setExitCode(exitCode)
          if (planned.plan.operations.length > 0) log.report(renderApply(outcome.apply, this.chalk, {verbose: flags.verbose}))
          log.report(renderVerification(outcome.verification, this.chalk, {verbose: flags.verbose}))
          log.end(exitCode, pushTotals(planned.plan, outcome))
          return this.jsonEnabled() ? pushDocument(planned.plan, outcome.apply, outcome.verification) : undefined
        } finally {
          await conn.close()
        }
      })
    })
  }
}
