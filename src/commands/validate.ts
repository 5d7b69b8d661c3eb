import {Args} from '@oclif/core'

import {BaseCommand} from '../cli/base-command.js'
import {ExitCode} from '../exit-codes.js'

export default class Validate extends BaseCommand<typeof Validate> {
  static override summary = 'Check map files and report every problem as path:line:column.'
  static override strict = false
  static override enableJsonFlag = true
  static override args = {files: Args.string({description: 'map files to check (default: the whole maps directory)'})}
  static override exitCodes = [ExitCode.OK, ExitCode.UNEXPECTED, ExitCode.USAGE, ExitCode.INVALID_MAPS]
  static override examples = ['<%= config.bin %> <%= command.id %>']

  async run(): Promise<unknown> {
    this.log('placeholder')
    return {ok: true}
  }
}
