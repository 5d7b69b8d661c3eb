import {ExitCode, GridsyncError} from '../exit-codes.js'
import type {Plan} from './plan-types.js'

/** A limit on map deletions: a count, or a percentage of the maps on the server. */
export type DeleteLimit = {count: number} | {percent: number}

export const DEFAULT_MAX_DELETE = '5'

/** Parses `--max-delete`: `N` or `N%`. */
export function parseDeleteLimit(text: string): DeleteLimit {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text)
  if (!m) throw new GridsyncError(`--max-delete takes a number of maps or a percentage, like 5 or 10%, not "${text}"`, ExitCode.USAGE)
  const n = Number(m[1])
  if (m[2]) {
    if (n > 100) throw new GridsyncError(`--max-delete ${text} is more than 100%`, ExitCode.USAGE)
    return {percent: n}
  }

  if (!Number.isInteger(n)) throw new GridsyncError(`--max-delete takes a whole number of maps, not "${text}"`, ExitCode.USAGE)
  return {count: n}
}

/**
 * The most maps a run may delete under the limit, given how many maps the server
 * holds. A percentage is rounded down.
 */
export function allowedDeletes(limit: DeleteLimit, serverMaps: number): number {
  return 'count' in limit ? limit.count : Math.floor((limit.percent / 100) * serverMaps)
}

/**
 * Counts the plan's map deletions before anything is written; more than the limit
 * stops the run (exit 9) unless approved with --yes. Returns a description of the
 * check for the user when the guard would stop a run, for diff to show.
 */
export function deleteGuard(plan: Plan, limit: DeleteLimit, approved: boolean): string | undefined {
  const deletes = plan.maps.filter((m) => m.action === 'delete' || m.action === 'rebuild')
  const serverMaps = plan.maps.filter((m) => m.url !== undefined).length
  const allowed = allowedDeletes(limit, serverMaps)
  if (approved || deletes.length <= allowed) return undefined
  const names = deletes
    .slice(0, 10)
    .map((m) => `"${m.name}"`)
    .join(', ')
  const more = deletes.length > 10 ? ` and ${deletes.length - 10} more` : ''
  return `The plan deletes ${deletes.length} of the ${serverMaps} maps on the server (${names}${more}), more than --max-delete allows (${allowed}). Nothing was changed. If that is intended, raise --max-delete or pass --yes.`
}

export function enforceDeleteGuard(plan: Plan, limit: DeleteLimit, approved: boolean): void {
  const stop = deleteGuard(plan, limit, approved)
  if (stop) throw new GridsyncError(stop, ExitCode.GUARD, 'DELETE_GUARD')
}
