import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../cli/base-command.js'
import {connectionFlags} from '../cli/connection.js'
import {mapsDirFlag} from '../cli/flags.js'
import {logFlagsFor} from '../cli/log-flags.js'
import {planFromFlags} from '../cli/plan-run.js'
import {selectionFlags} from '../cli/sync-flags.js'
import {ExitCode} from '../exit-codes.js'
import {DiffPresenter} from '../presenters/diff.js'
import {deleteGuard, parseDeleteLimit} from '../sync/guard.js'

export default class Diff extends BaseCommand<typeof Diff> {
  static override summary = 'Show what a push would do, per map, observer and obstacle (a dry run).'
  static override description =
    'Reads the map files and the server and prints the plan: maps to create, update or delete, and the new, changed and gone observers and obstacles of each, with a picture of every changed map. Writes nothing.'

  static override enableJsonFlag = true
  static override exitCodes = [
    ExitCode.OK,
    ExitCode.UNEXPECTED,
    ExitCode.USAGE,
    ExitCode.CHANGES_PENDING,
    ExitCode.OPERATIONS_FAILED,
    ExitCode.INVALID_MAPS,
    ExitCode.NETWORK,
    ExitCode.CONTRACT,
    ExitCode.NOT_VERIFIED,
    ExitCode.FILE_ACCESS,
  ]

  static override examples = [
    {description: 'Preview a push to a server:', command: '<%= config.bin %> <%= command.id %> --server https://maps.example.org'},
    {description: 'As a unified diff of the map files:', command: '<%= config.bin %> <%= command.id %> --format patch'},
    {description: 'In a script: exit 3 when a push has anything to do:', command: '<%= config.bin %> <%= command.id %> --exit-code --json'},
  ]

  static override flags = {
    ...connectionFlags,
    'maps-dir': mapsDirFlag,
    ...selectionFlags,
    format: Flags.option({options: ['text', 'patch'] as const, default: 'text', env: 'GRIDSYNC_FORMAT', summary: 'Human output: a summary with pictures, or a unified diff.'})(),
    'exit-code': Flags.boolean({
      summary:
        'Exit 0 only when the server is known to match the files; 3 when a push would send something; 4 when a map is in conflict; 8 when a push would send nothing but the server is not known to match (writes not yet confirmed, deletes the server refuses).',
      default: false,
    }),
    ...logFlagsFor('diff'),
  }

  async run(): Promise<unknown> {
    const {flags} = this
    const patch = flags.format === 'patch'
    return this.lifecycle({output: {document: patch, summaryAfterDocument: patch}, connect: 'alongside'}, async ({server}) => {
      const deleteLimit = parseDeleteLimit(flags['max-delete'])
      const {planned, notices} = await planFromFlags(flags, server)
      const {plan} = planned
      const stop = deleteGuard(plan, deleteLimit, flags.yes)
      if (stop) plan.warnings.push(`A push would stop here: ${stop}`)
      return new DiffPresenter(plan, {chalk: this.chalk, verbose: flags.verbose, format: flags.format, exitCodeFlag: flags['exit-code'], notices})
    })
  }
}
