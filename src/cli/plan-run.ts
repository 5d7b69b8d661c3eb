import {withFileAccess} from '../file-access.js'
import {loadMapsDir} from '../format/index.js'
import {Journal} from '../sync/journal.js'
import {checkOnlyNames} from '../sync/only.js'
import {makePlan, type Planned} from '../sync/session.js'
import {unfinishedRunWarnings} from '../sync/unfinished.js'
import type {ServerSession} from './lifecycle.js'

export interface PlanFlags {
  'maps-dir': string
  concurrency: number
  only?: string[]
  prune: boolean
  force: boolean
  rebuild: boolean
  'stale-window': number
  'skip-version-check': boolean
}

/**
 * The first half of diff and push, on a connection whose API version check is under
 * way (see ServerSession): load the journal, the files and the server's maps while the
 * version answer comes, and plan.
 *
 * What the journal says of earlier runs that ended without finishing comes first, before
 * any other warning and the plan: the rest of the run is to be read in its light.
 * `notices` holds those warnings, for a JSON document.
 */
export async function planFromFlags(flags: PlanFlags, server: ServerSession): Promise<{planned: Planned; notices: string[]}> {
  const mapsDir = flags['maps-dir']
  const {conn} = server
  const loadedJournal = await withFileAccess("gridsync's journal", () => Journal.load(mapsDir))
  const notices = unfinishedRunWarnings(loadedJournal.journal)
  // The warnings of connecting and of the version check waited until the journal's were out.
  server.releaseWarnings(notices)

  // The API version was asked for first; the files are read and the server's maps listed
  // while the answer comes (reads change nothing). A version that does not match is the
  // error reported, whatever the reads met; a problem with the files comes before both.
  const loaded = await loadMapsDir(mapsDir)
  const [checked, planning] = await Promise.allSettled([
    server.versionChecked,
    makePlan(conn.client, {
      server: conn.server,
      mapsDir,
      loaded,
      journal: loadedJournal,
      only: flags.only,
      prune: flags.prune,
      force: flags.force,
      rebuild: flags.rebuild,
      staleWindowMs: flags['stale-window'] * 1000,
      concurrency: flags.concurrency,
    }),
  ])
  if (checked.status === 'rejected') throw checked.reason
  if (planning.status === 'rejected') throw planning.reason
  const planned = planning.value
  const {knowledge} = planned
  const onServer = [...knowledge.maps.values()].filter((k) => k.state !== undefined || (k.summary !== undefined && k.evidence.kind !== 'gone'))
  checkOnlyNames(flags.only, [...loaded.maps.map((m) => m.name), ...loaded.invalid.flatMap((f) => f.name ?? []), ...onServer.map((k) => k.name), ...knowledge.unreachable], mapsDir)
  return {planned, notices}
}
