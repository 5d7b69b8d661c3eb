import {format} from 'node:util'

import {Command} from '@oclif/core/command'
import * as Flags from '@oclif/core/flags'
import type * as Interfaces from '@oclif/core/interfaces'
import type {ChalkInstance} from 'chalk'

import {commandFlags, commandLineOnly, type Configuration, describeConfiguration, type FlagShape, knownFlags, resolveLayers, withLayerDefaults} from '../config/index.js'
import {ExitCode} from '../exit-codes.js'
import {asFileAccessError} from '../file-access.js'
import {wasLoggedToStderr} from '../log/logged-errors.js'
import {Redactor} from '../log/redact.js'
import type {Presenter} from '../presenters/presenter.js'
import {exitCodeOf} from './exit-code-of.js'
import {mapsDirFlag, withEnv} from './flags.js'
import type {LifecycleFlags, Needs, RunContext} from './lifecycle.js'
import {colorEnabled, makeChalk, terminalSafe} from './output.js'
import {secretsOf} from './secrets.js'

export {exitCodeOf} from './exit-code-of.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/**
 * What every gridsync command shares: configuration, the colour decision, the run
 * lifecycle, exit codes that survive --json, and errors rendered as one clear line (or
 * one JSON document), never a stack.
 *
 * The run lifecycle: a command that logs a run calls lifecycle() with what it needs
 * (the lock, the connection, the interruption watch) and its work, which returns the
 * presenter of its result; see src/cli/lifecycle.ts and src/presenters/.
 *
 * Configuration: every flag is a setting (except those src/config/rules.ts keeps to the
 * command line), with one precedence: the command line, then the environment variable
 * (GRIDSYNC_ + the name in upper snake case), then `.env` in the working directory, then
 * the configuration file (--config, or gridsync.config.json beside the maps directory),
 * then the flag's default. init() parses the command line once on its own to learn what
 * it gives (and where the configuration file is), resolves the other layers, and then
 * parses for real with their values as the flags' defaults, so commands need do nothing.
 *
 * Secrets (token, header values) are blanked out of everything printed, and nothing the
 * server sent can drive the terminal.
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override baseFlags = withEnv({
    color: Flags.boolean({
      allowNo: true,
      description: 'Colour in human output (default: on a terminal, unless NO_COLOR is set; the flag wins over NO_COLOR).',
      helpGroup: 'GLOBAL',
    }),
    config: Flags.string({
      summary: 'JSON configuration file (default: gridsync.config.json beside the maps directory, if there is one).',
      env: 'GRIDSYNC_CONFIG',
      helpValue: 'FILE',
      helpGroup: 'GLOBAL',
    }),
  })

  /** Exit codes this command may end with; shown in its help. */
  static exitCodes: ExitCode[] = [ExitCode.OK, ExitCode.UNEXPECTED, ExitCode.USAGE]

  protected flags!: BaseFlags<T>
  protected args!: BaseArgs<T>
  /** Positional arguments beyond the declared ones (for commands with strict = false). */
  protected positionals!: string[]
  protected chalk!: ChalkInstance
  /** Every effective setting and where it came from (flag, environment, .env, configuration file, default). */
  protected configuration!: Configuration
  /** Until the flags are parsed, the token from the environment is the one secret known. */
  private redactor = new Redactor(secretsOf(undefined))

  override async init(): Promise<void> {
    await super.init()
    const definitions = await this.flagDefinitions()
    const input = {args: this.ctor.args, enableJsonFlag: this.ctor.enableJsonFlag, strict: this.ctor.strict}
    const onCommandLine = await this.parse({...input, flags: commandLineOnly(definitions)})
    const resolution = await resolveLayers({
      flags: definitions,
      known: await this.knownFlagShapes(),
      given: onCommandLine.flags,
      env: process.env,
      cwd: process.cwd(),
      defaultMapsDir: String(mapsDirFlag.default),
      parseContext: this,
    })
    const {args, argv, flags} = await this.parse({...input, flags: withLayerDefaults(definitions, resolution)})
    this.configuration = describeConfiguration(Object.keys(definitions), onCommandLine.flags, resolution, flags)
    this.flags = flags as BaseFlags<T>
    this.redactor = new Redactor(secretsOf(flags))
    this.args = args as BaseArgs<T>
    this.positionals = argv as string[]
    this.chalk = makeChalk(!this.jsonEnabled() && colorEnabled({flag: this.flags.color}))
  }

  /** The flags this command parses: its own and the base flags. */
  protected async flagDefinitions(): Promise<Interfaces.FlagInput> {
    return commandFlags(this.ctor)
  }

  /**
   * The flags of every command, which configuration keys may name. Read from the
   * manifest, which loads no command: a key this command does not use is checked for its
   * kind (switch, list, choice, text), and in full (bounds, files) when a command that
   * uses it runs. `gridsync config` checks every key in full.
   */
  protected async knownFlagShapes(): Promise<Record<string, FlagShape>> {
    return knownFlags(this.config.commands.map((command) => command.flags))
  }

  /**
   * Warnings go to stderr in every output mode (oclif drops them under --json): stdout
   * holds the one JSON document, and what a warning says (certificate verification
   * off, a lock taken over) must still reach whoever reads the run's log. Written in
   * oclif's look but never wrapped: a wrapped line could cut a URL or a path in two, and
   * a terminal wraps long lines by itself.
   */
  override warn(input: string | Error): string | Error {
    const text = this.printable(typeof input === 'string' ? input : input.message)
    process.stderr.write(warningLines(text))
    return input
  }

  override log(message = '', ...args: unknown[]): void {
    super.log(this.printable(format(message, ...args)))
  }

  override logToStderr(message = '', ...args: unknown[]): void {
    super.logToStderr(this.printable(format(message, ...args)))
  }

  /** Text as it may be printed: secrets blanked, no control characters but gridsync's own colours. */
  private printable(text: string): string {
    return terminalSafe(this.redactor.text(text), this.chalk !== undefined && this.chalk.level > 0)
  }

  protected override logJson(json: unknown): void {
    super.logJson(this.redactor.value(json))
  }

  /** Record the exit code; the process ends with it once output is flushed. */
  protected setExitCode(code: ExitCode): void {
    process.exitCode = code
  }

  /**
   * Runs the command's work inside the lifecycle its `needs` describe (run log,
   * interruption watch, lock, connection and version check) and shows the presenter the
   * work returns; the result is the `--json` document, or undefined without --json.
   * Loaded when first used: `config`, which logs no run, starts without it.
   */
  protected async lifecycle<N extends Needs>(needs: N, work: (ctx: RunContext<N>) => Promise<Presenter>): Promise<unknown> {
    const {runLifecycle} = await import('./lifecycle.js')
    return runLifecycle(this, this.id ?? this.constructor.name.toLowerCase(), this.flags as LifecycleFlags, needs, work)
  }

  override async catch(thrown: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    const err = asFileAccessError(thrown)
    const code = exitCodeOf(err)
    process.exitCode = code
    if (code === ExitCode.UNEXPECTED && process.env.GRIDSYNC_DEBUG) this.logToStderr(String(err.stack))
    if (this.jsonEnabled()) {
      this.logJson({
        status: 'error',
        exitCode: code,
        error: {code: (err as {code?: string}).code ?? err.name, message: err.message},
      })
    } else if (!wasLoggedToStderr(err)) {
      this.logToStderr(`${this.chalk?.red('Error:') ?? 'Error:'} ${err.message}`)
    }

    return undefined
  }
}

/** A warning as oclif prints it (` ›   Warning: ...`, each further line under it), unwrapped. */
export function warningLines(message: string): string {
  return `Warning: ${message}`
    .split('\n')
    .map((line) => ` \u203A   ${line}\n`)
    .join('')
}
