import {Chalk, type ChalkInstance} from 'chalk'

/**
 * Colour decision for human output: --color and --no-color decide when given (a flag
 * given for the run wins over NO_COLOR, as no-color.org asks); otherwise never with
 * NO_COLOR set (to anything non-empty), always with FORCE_COLOR, and else only on a terminal.
 */
export function colorEnabled(opts: {flag?: boolean; stream?: NodeJS.WriteStream; env?: NodeJS.ProcessEnv} = {}): boolean {
  const env = opts.env ?? process.env
  if (opts.flag !== undefined) return opts.flag
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true
  return Boolean((opts.stream ?? process.stdout).isTTY)
}

export function makeChalk(enabled: boolean): ChalkInstance {
  return new Chalk({level: enabled ? 1 : 0})
}

/** Control characters other than line feed and tab, C1 controls included. */
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g
/** Control characters, but the colour sequences (SGR) gridsync writes itself. */
const CONTROL_BUT_COLOUR = /\u001B\[[0-9;]*m|[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g

/**
 * Text made safe to print on a terminal: names and messages from the server could
 * hold escape sequences (clear the screen, set the title, write the clipboard, move
 * the cursor over a warning) or carriage returns; each such character becomes U+FFFD.
 * With colour on, the colour sequences stay (gridsync's own); with colour off, none do.
 */
export function terminalSafe(text: string, colour: boolean): string {
  return text.replace(colour ? CONTROL_BUT_COLOUR : CONTROL, (m) => (m.length > 1 ? m : '\uFFFD'))
}
