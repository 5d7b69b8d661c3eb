import {format} from 'node:util'

import {Command, Errors, Flags, Interfaces} from '@oclif/core'
import type {ChalkInstance} from 'chalk'

import {ExitCode, GridsyncError} from '../exit-codes.js'
import {colorEnabled, makeChalk, terminalSafe} from './output.js'
import {Redactor, secretsOf} from './secrets.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/**
 * What every gridsync command shares: the colour decision, exit codes that survive
 * --json, errors rendered as one clear line (or one JSON document), never a stack, and
 * secrets (token, header values) blanked out of everything printed.
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override baseFlags = {
    color: Flags.boolean({
      allowNo: true,
      description: 'Colour in human output (default: on a terminal, unless NO_COLOR is set).',
      helpGroup: 'GLOBAL',
    }),
  }

  /** Exit codes this command may end with; shown in its help. */
  static exitCodes: ExitCode[] = [ExitCode.OK, ExitCode.UNEXPECTED, ExitCode.USAGE]

  protected flags!: BaseFlags<T>
  protected args!: BaseArgs<T>
  /** Positional arguments beyond the declared ones (for commands with strict = false). */
  protected positionals!: string[]
  protected chalk!: ChalkInstance
  /** Until the flags are parsed, the token from the environment is the one secret known. */
  private redactor = new Redactor(secretsOf(undefined))

  override async init(): Promise<void> {
    await super.init()
    const {args, argv, flags} = await this.parse({
      baseFlags: (super.ctor as typeof BaseCommand).baseFlags,
      flags: this.ctor.flags,
      args: this.ctor.args,
      enableJsonFlag: this.ctor.enableJsonFlag,
      strict: this.ctor.strict,
    })
    this.flags = flags as BaseFlags<T>
    this.redactor = new Redactor(secretsOf(flags))
    this.args = args as BaseArgs<T>
    this.positionals = argv as string[]
    this.chalk = makeChalk(!this.jsonEnabled() && colorEnabled({flag: this.flags.color}))
  }

  /**
   * Warnings go to stderr in every output mode (oclif drops them under --json): stdout
   * holds the one JSON document, and what a warning says (certificate verification
   * off, a lock taken over) must still reach whoever reads the run's log.
   */
  override warn(input: string | Error): string | Error {
    Errors.warn(this.printable(typeof input === 'string' ? input : input.message))
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

  override async catch(err: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<unknown> {
    const code = exitCodeOf(err)
    process.exitCode = code
    if (code === ExitCode.UNEXPECTED && process.env.GRIDSYNC_DEBUG) this.logToStderr(String(err.stack))
    if (this.jsonEnabled()) {
      this.logJson({
        status: 'error',
        exitCode: code,
        error: {code: (err as {code?: string}).code ?? err.name, message: err.message},
      })
    } else {
      this.logToStderr(`${this.chalk?.red('Error:') ?? 'Error:'} ${err.message}`)
    }
    return undefined
  }
}

export function exitCodeOf(err: Error & {exitCode?: number; oclif?: {exit?: number}}): ExitCode {
  if (err instanceof GridsyncError) return err.exitCode
  // oclif parse and validation errors carry exit 2.
  if (err.oclif?.exit === 2 || /^(Unexpected argument|Nonexistent flag|Expected |Missing )/.test(err.message)) {
    return ExitCode.USAGE
  }
  return ExitCode.UNEXPECTED
}
