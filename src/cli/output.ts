import {Chalk, type ChalkInstance} from 'chalk'

/**
 * Colour decision for human output: only on a terminal, never with NO_COLOR set (to
 * anything non-empty) or --no-color; FORCE_COLOR turns it on anywhere.
 */
export function colorEnabled(opts: {flag?: boolean; stream?: NodeJS.WriteStream; env?: NodeJS.ProcessEnv} = {}): boolean {
  const env = opts.env ?? process.env
  if (opts.flag === false) return false
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (opts.flag === true) return true
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true
  return Boolean((opts.stream ?? process.stdout).isTTY)
}

export function makeChalk(enabled: boolean): ChalkInstance {
  return new Chalk({level: enabled ? 1 : 0})
}
