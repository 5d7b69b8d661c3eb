import type {RequestEvent} from '../api/client.js'
import {loadMapsDir} from '../format/index.js'
import {makePlan, type Planned} from '../sync/session.js'
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
 */
export async function planFromFlags(
  flags: PlanFlags,
  warn: (message: string) => void,
  onRequest?: (event: RequestEvent) => void,
): Promise<{conn: Connection; planned: Planned}> {
  const conn = await connect(flags, onRequest)
  try {
    for (const w of conn.warnings) warn(w)
    // The API version is asked for first; the files are read and the server's maps listed
    // while the answer comes (reads change nothing). A version that does not match is the
    // error reported, whatever the reads met; a problem with the files comes before both.
    const version = checkServerVersion(conn.client, flags['skip-version-check'], warn)
    version.catch(() => {})
    const loaded = await loadMapsDir(flags['maps-dir'])
    const [checked, planning] = await Promise.allSettled([
      version,
      makePlan(conn.client, {
        server: conn.server,
        mapsDir: flags['maps-dir'],
        loaded,
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
    return {conn, planned}
  } catch (error) {
    await conn.close()
    throw error
  }
}
