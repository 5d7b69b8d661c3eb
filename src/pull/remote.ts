/**
 * Reading the server for a pull: the listing, and the contents of the maps the pull
 * wants. A map whose read the server refuses (an HTTP error) is reported on its own;
 * a broken connection or a broken contract ends the pull before anything is written.
 * Answers recognised as stale by gridsync's journal of its recent writes are replaced
 * by the state those writes left, exactly as diff and push see the server.
 */

import {HttpError} from '../api/index.js'
import type {RemoteMap, RemoteMapSummary} from '../model/types.js'
import type {JournalRecord} from '../sync/journal.js'
import {runPool} from '../sync/pool.js'
import {readRemote} from '../sync/remote-state.js'

export interface PullClient {
  listMaps(): Promise<RemoteMapSummary[]>
  getMap(url: string): Promise<RemoteMap>
}

/** One map on the server, as the pull sees it. */
export interface RemoteItem {
  name: string
  slug: string
  /** The contents, for a wanted map that could be read. */
  map?: RemoteMap
  /** Why a wanted map could not be read. */
  error?: string
}

export interface ReadOptions {
  /** Whether the pull needs this map's contents. */
  wanted: (name: string) => boolean
  /** gridsync's last recorded writes to this server, by map name. */
  records: ReadonlyMap<string, JournalRecord>
  staleWindowMs: number
  now: number
  concurrency: number
}

/** Every map on the server, with the contents of the wanted ones. */
export async function readForPull(client: PullClient, opts: ReadOptions): Promise<RemoteItem[]> {
  const listing = await client.listMaps()
  // A map with an empty slug has no URL the server answers: it is not read.
  const toRead = listing.filter((m) => opts.wanted(m.name) && m.slug !== '')
  const reads = new Map<string, RemoteMap>()
  const errors = new Map<string, string>()
  let fatal: unknown
  await runPool(toRead, opts.concurrency, async (summary) => {
    try {
      const map = await client.getMap(summary.url)
      if (map.name === summary.name) reads.set(summary.url, map)
      else errors.set(summary.name, `the server lists this map as "${summary.name}" but its own page names it "${map.name}" (renamed meanwhile?); pull again`)
    } catch (error) {
      if (error instanceof HttpError) errors.set(summary.name, error.message)
      else fatal ??= error
    }
  })
  if (fatal !== undefined) throw fatal

  const served: PullClient = {listMaps: async () => listing, getMap: async (url) => reads.get(url) as RemoteMap}
  const details = new Set(toRead.filter((m) => reads.has(m.url)).map((m) => m.name))
  const {entries, unreachable} = await readRemote(served, {...opts, details})
  const items = entries.map(({summary, details: map}): RemoteItem => {
    const item: RemoteItem = {name: summary.name, slug: summary.slug}
    if (map && opts.wanted(summary.name)) item.map = map
    const error = errors.get(summary.name)
    if (error !== undefined) item.error = error
    return item
  })
  return [...items, ...unreachable.map((name) => ({name, slug: ''}))]
}
