import {Flags} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {connectionFlags} from '../cli/connection.js'
import {mapsDirFlag} from '../cli/flags.js'
import {lockFlags, withLock} from '../cli/lock-flags.js'
import {planFromFlags} from '../cli/plan-run.js'
import {Progress} from '../cli/progress.js'
import {selectionFlags} from '../cli/sync-flags.js'
import {ExitCode} from '../exit-codes.js'
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
    verify: Flags.boolean({allowNo: true, default: true, summary: 'Read back what was touched and compare it with the files (--no-verify skips it).'}),
  }

  async run(): Promise<unknown> {
    const {flags} = this
    const deleteLimit = parseDeleteLimit(flags['max-delete'])
    return withLock(flags['maps-dir'], {command: 'push', waitSeconds: flags['wait-lock'], notice: (m) => this.warn(m)}, async () => {
      const {conn, planned} = await planFromFlags(flags, (w) => this.warn(w))
      try {
        enforceDeleteGuard(planned.plan, deleteLimit, flags.yes)
        this.log(renderPlan(planned.plan, {chalk: this.chalk, picture: false}))

        const progress = new Progress(planned.plan.operations.length)
        const outcome = await push(conn.client, planned, {
          server: conn.server,
          concurrency: flags.concurrency,
          verify: flags.verify,
          onResult: () => progress.tick(),
        })
        progress.end()
        this.setExitCode(pushExitCode(planned.plan, outcome))
        if (this.jsonEnabled()) return pushDocument(planned.plan, outcome.apply, outcome.verification)
        if (planned.plan.operations.length > 0) this.log(renderApply(outcome.apply, this.chalk))
        this.log(renderVerification(outcome.verification, this.chalk))
        return undefined
      } finally {
        await conn.close()
      }
    })
  }
}
