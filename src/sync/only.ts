import {ExitCode, GridsyncError} from '../exit-codes.js'

/**
 * `--only` names that match no map, neither in the files nor on the server: a usage
 * error (exit 2) naming them, most likely a typo, rather than a run that does nothing.
 */
export function checkOnlyNames(only: readonly string[] | undefined, known: Iterable<string>, mapsDir: string): void {
  if (!only || only.length === 0) return
  const names = new Set(known)
  const unmatched = [...new Set(only)].filter((name) => !names.has(name))
  if (unmatched.length === 0) return
  const listed = unmatched.map((name) => `"${name}"`).join(', ')
  throw new GridsyncError(
    `--only ${listed} ${unmatched.length === 1 ? 'matches' : 'match'} no map in the files of ${mapsDir} or on the server (names are compared exactly, case included)`,
    ExitCode.USAGE,
    'ONLY_UNMATCHED',
  )
}
