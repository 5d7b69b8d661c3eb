import type {Hook} from '@oclif/core/hooks'
import {closest, distance} from 'fastest-levenshtein'

import {ExitCode} from '../exit-codes.js'

/**
 * An unknown command: say so, suggest the nearest command when one is close enough to
 * be a typo, and stop with exit 2. It never asks anything: gridsync runs unattended.
 */
const hook: Hook.CommandNotFound = async function (options) {
  const id = options.id.replaceAll(':', ' ')
  const ids = options.config.commandIDs.filter((c) => !options.config.findCommand(c)?.hidden).map((c) => c.replaceAll(':', ' '))
  const bin = options.config.bin
  const near = suggestion(id, ids)
  const hint = near === undefined ? '' : ` Did you mean "${bin} ${near}"?`
  // One line on stderr, as gridsync's other errors, then exit 2 without oclif's own message.
  process.stderr.write(`Error: "${id}" is not a ${bin} command.${hint} Run "${bin} help" for the list of commands.\n`)
  this.exit(ExitCode.USAGE)
}

/** The command closest to `typed`, when few enough edits separate them to be a typo. */
export function suggestion(typed: string, ids: readonly string[]): string | undefined {
  if (ids.length === 0 || typed === '') return undefined
  const best = closest(typed, [...ids])
  const limit = Math.max(2, Math.floor(best.length / 3))
  return distance(typed, best) <= limit ? best : undefined
}

export default hook
