import {Command} from '@oclif/core/command'
import {Help} from '@oclif/core/help'

import {EXIT_CODE_MEANINGS, type ExitCode, exitCodesHelp} from '../exit-codes.js'

/** What the root help shows as a first session, a command and what it does each. */
const ROOT_EXAMPLES: ReadonlyArray<readonly [string, string]> = [
  ['Rehearse: push the sample maps to an empty in-process server', 'push --server sandbox'],
  ['Check the map files in ./maps', 'validate'],
  ['See what a push would change on a server', 'diff --server https://maps.example.org'],
  ['Sync, quietly, as from cron (exit code 0 when in sync)', 'push --server https://maps.example.org --quiet'],
  ['Start a maps directory from a server', 'pull --server https://maps.example.org'],
  ['Carry edits both ways, object by object (a dry run first)', 'sync --server https://maps.example.org --dry-run'],
  ['Show every setting and where it comes from', 'config'],
  ['Help for one command', 'help push'],
]

/** oclif help with examples at the root and an EXIT CODES section, for the root and for every command. */
export default class GridsyncHelp extends Help {
  protected override formatCommand(command: Command.Loadable): string {
    const codes = (command as {exitCodes?: ExitCode[]}).exitCodes
    return `${super.formatCommand(command)}\n\n${this.section('EXIT CODES', exitCodesHelp(codes, command.id))}`
  }

  override formatRoot(): string {
    const all = EXIT_CODE_MEANINGS.map(([code]) => code)
    const bin = this.config.bin
    const examples = ROOT_EXAMPLES.map(([what, args]) => `${what}:\n  $ ${bin} ${args}`).join('\n\n')
    return `${super.formatRoot()}\n\n${this.section('EXAMPLES', examples)}\n\n${this.section('EXIT CODES', exitCodesHelp(all))}`
  }
}
