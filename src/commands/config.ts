import * as Flags from '@oclif/core/flags'
import type * as Interfaces from '@oclif/core/interfaces'

import {BaseCommand} from '../cli/base-command.js'
import {SANDBOX_SERVER} from '../cli/flags.js'
import {commandFlags, configDocument, type ConfigDocument, type FlagShape, isSetting, knownFlags, type ProxyReport, renderConfiguration} from '../config/index.js'
import {ExitCode, GridsyncError} from '../exit-codes.js'

const DEFAULT_TARGET = 'push'

/**
 * The command named by --for, read from the raw command line: it decides which flags
 * this command parses, so it is needed before the parse.
 */
function targetOf(argv: readonly string[]): string {
  for (const [i, arg] of argv.entries()) {
    if (arg === '--') break
    if (arg === '--for') return argv[i + 1] ?? ''
    if (arg.startsWith('--for=')) return arg.slice('--for='.length)
  }

  return DEFAULT_TARGET
}

export default class ConfigCommand extends BaseCommand<typeof ConfigCommand> {
  static override summary = 'Show the effective settings, and where each one comes from (secrets hidden).'
  static override description = `Every setting of a command (push by default, or the one --for names) with its effective value and where it came from, in this order of precedence: the command line, the environment variable (GRIDSYNC_ and the name in upper snake case, such as GRIDSYNC_MAPS_DIR), a .env file in the working directory, the configuration file (--config FILE, or gridsync.config.json in the parent directory of the maps directory), the default. The token and header values are never shown. Takes the same setting flags as that command, so a command line can be checked before it is run. Checks every key of the configuration file against every command, and exits 2 when a setting or the file is wrong, naming the file and the key.`

  static override enableJsonFlag = true
  static override exitCodes = [ExitCode.OK, ExitCode.UNEXPECTED, ExitCode.USAGE]
  static override examples = [
    {description: 'What a push would use, and from where:', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'The settings of pull with another configuration file:', command: '<%= config.bin %> <%= command.id %> --for pull --config ./staging.json'},
    {description: 'As JSON, for a script:', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  static override flags = {
    for: Flags.string({summary: 'Show the settings of this command.', default: DEFAULT_TARGET, helpValue: 'COMMAND'}),
  }

  /** The settings of the target command (none required here), besides this command's own flags. */
  protected override async flagDefinitions(): Promise<Interfaces.FlagInput> {
    const id = targetOf(this.argv)
    const target = id === this.id ? undefined : this.config.findCommand(id)
    if (!target) {
      const ids = this.config.commandIDs.filter((c) => c !== this.id).sort()
      throw new GridsyncError(`--for must name a gridsync command (${ids.join(', ')}); "${id}" is not one`, ExitCode.USAGE, 'USAGE')
    }

    const command = await target.load()
    const settings = Object.entries(commandFlags(command))
      .filter(([name]) => isSetting(name))
      .map(([name, flag]) => [name, {...flag, required: false}])
    return {...(Object.fromEntries(settings) as Interfaces.FlagInput), ...(await super.flagDefinitions())}
  }

  /** Every command's full flag definitions, so that each key of the configuration file is checked in full. */
  protected override async knownFlagShapes(): Promise<Record<string, FlagShape>> {
    const commands = await Promise.all(this.config.commands.map((command) => command.load()))
    return knownFlags(commands.map((command) => commandFlags(command)))
  }

  async run(): Promise<ConfigDocument | undefined> {
    const command = this.flags.for
    const proxy = await this.proxy()
    if (this.jsonEnabled()) return configDocument(command, this.configuration, proxy)
    this.log(renderConfiguration(command, this.configuration, this.chalk, proxy))
    return undefined
  }

  /** How the target command would reach its server, by the environment's proxy variables. */
  private async proxy(): Promise<ProxyReport | null> {
    const server = this.configuration.settings.find((s) => s.name === 'server')?.value
    if (typeof server !== 'string') return null
    if (server === SANDBOX_SERVER) return {url: null, variable: null, bypassedBy: null}
    const {proxyDecision} = await import('../api/proxy.js')
    const decision = await proxyDecision(server)
    switch (decision.kind) {
      case 'proxy':
        return {url: decision.route.shown, variable: decision.route.variable, bypassedBy: null}
      case 'bypass':
        return {url: null, variable: decision.proxyVariable, bypassedBy: decision.variable}
      case 'none':
        return {url: null, variable: null, bypassedBy: null}
    }
  }
}
