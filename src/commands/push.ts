import type {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import type * as Interfaces from '@oclif/core/interfaces'

import {BaseCommand} from '../cli/base-command.js'
import {connectionFlags} from '../cli/connection.js'
import {DRY_RUN_NOTICE, dryRunAsDiff} from '../cli/dry-run.js'
import {mapsDirFlag} from '../cli/flags.js'
import {pushHalt} from '../cli/halts.js'
import {lockFlags} from '../cli/lock-flags.js'
import {logFlags} from '../cli/log-flags.js'
import {planFromFlags} from '../cli/plan-run.js'
import {Progress} from '../cli/progress.js'
import {selectionFlags} from '../cli/sync-flags.js'
import {WRITING_RUN_EXIT_CODES} from '../exit-codes.js'
import {PushPresenter} from '../presenters/push.js'
import {enforceDeleteGuard, parseDeleteLimit} from '../sync/guard.js'
import {push} from '../sync/session.js'

export default class Push extends BaseCommand<typeof Push> {
  static override summary = 'Make the server match the map files, then read it back to verify.'
  static override description =
    "Checks the server's API version, computes the plan (as `diff` shows it), creates, updates and deletes on the server until it matches the files, then reads back every map it touched. Maps whose files are invalid are left alone; the others are still synced."

  static override enableJsonFlag = true
  static override exitCodes = [...WRITING_RUN_EXIT_CODES]

  static override examples = [
    {description: 'Sync the maps directory to a server:', command: '<%= config.bin %> <%= command.id %> --server https://maps.example.org'},
    {description: 'Rehearse against an empty in-process sandbox:', command: '<%= config.bin %> <%= command.id %> --server sandbox'},
    {description: 'Also delete maps that have no file, reporting as JSON:', command: '<%= config.bin %> <%= command.id %> --prune --json'},
    {description: 'Remove obstacles the server refuses to delete, by deleting and recreating their maps:', command: '<%= config.bin %> <%= command.id %> --rebuild'},
    {description: 'What would this push do? (the same as `gridsync diff`):', command: '<%= config.bin %> <%= command.id %> --dry-run'},
  ]

  static override flags = {
    ...connectionFlags,
    'maps-dir': mapsDirFlag,
    ...selectionFlags,
    ...lockFlags,
    ...logFlags,
    verify: Flags.boolean({allowNo: true, default: true, summary: 'Read back what was touched and compare it with the files (--no-verify skips it).'}),
    'dry-run': Flags.boolean({
      summary: 'Push nothing: run `gridsync diff` with the same flags instead (--wait-lock and --verify do not apply), saying so on stderr.',
      default: false,
    }),
  }

  /** `push --dry-run` is diff: said in one line on stderr, then diff runs with the flags that apply to it. */
  static override async run<T extends Command>(
    this: (new (argv: string[], config: Interfaces.Config) => T) & typeof Command,
    argv: string[] = process.argv.slice(2),
    opts?: Interfaces.LoadOptions,
  ): Promise<ReturnType<T['run']>> {
    const diffArgv = dryRunAsDiff(argv)
    if (diffArgv === undefined) return super.run(argv, opts) as Promise<ReturnType<T['run']>>
    process.stderr.write(`${DRY_RUN_NOTICE}\n`)
    const {default: Diff} = await import('./diff.js')
    return Diff.run(diffArgv, opts) as Promise<ReturnType<T['run']>>
  }

  async run(): Promise<unknown> {
    const {flags} = this
    return this.lifecycle({interruption: true, lock: true, connect: 'alongside'}, async ({log, interruption, server}) => {
      const deleteLimit = parseDeleteLimit(flags['max-delete'])
      const {planned, notices} = await planFromFlags(flags, server)
      const {client} = server.conn
      interruption.cutOffAfter((reason) => client.halt(reason))
      interruption.throwIfInterrupted('before anything was sent')
      enforceDeleteGuard(planned.plan, deleteLimit, flags.yes)
      const view = {chalk: this.chalk, verbose: flags.verbose}
      PushPresenter.announce(log, planned.plan, view)

      const progress = log.showProgress ? new Progress(planned.plan.operations.length) : undefined
      const outcome = await push(client, planned, {
        server: server.conn.server,
        concurrency: flags.concurrency,
        verify: flags.verify,
        halt: pushHalt(interruption, client),
        onResult(r) {
          progress?.tick()
          log.operation(r)
        },
      })
      progress?.end()
      return new PushPresenter(planned.plan, outcome, {...view, notices})
    })
  }
}
