import {Command} from '@oclif/core/command'
import {Help} from '@oclif/core/help'

import {EXIT_CODE_MEANINGS, type ExitCode, exitCodesHelp} from '../exit-codes.js'

/** oclif help with an EXIT CODES section, for the root and for every command. */
export default class GridsyncHelp extends Help {
  protected override formatCommand(command: Command.Loadable): string {
    const codes = (command as {exitCodes?: ExitCode[]}).exitCodes
    return `${super.formatCommand(command)}\n\n${this.section('EXIT CODES', exitCodesHelp(codes, command.id))}`
  }

  override formatRoot(): string {
    const all = EXIT_CODE_MEANINGS.map(([code]) => code)
    return `${super.formatRoot()}\n\n${this.section('EXIT CODES', exitCodesHelp(all))}`
  }
}
