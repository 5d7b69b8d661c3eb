import type {RequestEvent} from '../api/client.js'
import {withFileAccess} from '../file-access.js'
import {loadMapsDir} from '../format/index.js'
import {Journal} from '../sync/journal.js'
import {checkOnlyNames} from '../sync/only.js'
import {makePlan, type Planned} from '../sync/session.js'
import {unfinishedRunWarnings} from '../sync/unfinished.js'
import {type Connection, connect, type ConnectionSettings} from './connection.js'
import {checkServerVersion} from './version-check.js'

export interface PlanFlags extends ConnectionSettings {
  'maps-dir': string
  only?: string[]
  prune: boolean
  force: boolean
  rebuild: boolean
  'stale-window': number
  'skip-version-check': boolean
}

/**
 * The first half of diff and push: connect, check the API version while the files are
 * loaded and the server read, and plan. The caller closes the connection when done with it.
 *
 * What the journal says of earlier runs that ended without finishing comes first, before
 * any other warning and the plan: the rest of the run is to be read in its light.
 * `notices` holds those warnings, for a JSON document.
 */
export async function planFromFlags(
  flags: PlanFlags,
  warn: (message: string) => void,
  onRequest?: (event: RequestEvent) => void,
): Promise<{conn: Connection; planned: Planned; notices: string[]}> {
  const mapsDir = flags['maps-dir']
  const journal = withFileAccess("gridsync's journal", () => Journal.load(mapsDir))
  journal.catch(() => {})
  const conn = await connect(flags, onRequest)
  try {
    // Warnings wait until the journal's are out; the version request is on its way meanwhile.
    const held: string[] = [...conn.warnings]
    let say = (message: string): void => {
      held.push(message)
    }

    // The API version is asked for first; the files are read and the server's maps listed
    // while the answer comes (reads change nothing). A version that does not match is the
    // error reported, whatever the reads met; a problem with the files comes before both.
    const version = checkServerVersion(conn.client, flags['skip-version-check'], (w) => say(w))
    version.catch(() => {})
    const loadedJournal = await journal
    const notices = unfinishedRunWarnings(loadedJournal.journal)
    for (const n of notices) warn(n)
    for (const w of held) warn(w)
    say = warn

    const loaded = await loadMapsDir(mapsDir)
    const [checked, planning] = await Promise.allSettled([
      version,
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
    checkOnlyNames(
      flags.only,
      [...loaded.maps.map((m) => m.name), ...loaded.invalid.flatMap((f) => f.name ?? []), ...onServer.map((k) => k.name), ...knowledge.unreachable],
      mapsDir,
    )
    return {conn, planned, notices}
  } catch (error) {
    await conn.close()
    throw error
  }
}
