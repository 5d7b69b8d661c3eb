/**
 * Reading the server for a pull: the listing, and the contents of the maps the pull
 * wants. A map whose read the server refuses (an HTTP error) is reported on its own;
 * a broken connection or a broken contract ends the pull before anything is written.
 * Answers recognised as stale by gridsync's journal of its recent writes are replaced
 * by the state those writes left, exactly as diff and push see the server.
 */

import type {RemoteMap, RemoteMapSummary} from '../model/types.js'
import type {JournalRecord} from '../sync/journal.js'
import {learn} from '../sync/knowledge.js'

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
  now: () => number
  concurrency: number
}

/** Every map on the server, with the contents of the wanted ones, weighed as diff and push weigh them. */
export async function readForPull(client: PullClient, opts: ReadOptions): Promise<RemoteItem[]> {
  const knowledge = await learn(client, {
    wanted: opts.wanted,
    allRecorded: false,
    records: opts.records,
    cacheMs: opts.staleWindowMs,
    now: opts.now,
    concurrency: opts.concurrency,
  })
  const items: RemoteItem[] = []
  for (const k of knowledge.maps.values()) {
    // Absent now (404), or neither listed nor found: nothing to pull.
    if (k.evidence.kind === 'gone' || (!k.state && !k.summary)) continue
    const item: RemoteItem = {name: k.name, slug: k.state?.slug ?? k.summary?.slug ?? ''}
    if (k.state && opts.wanted(k.name)) item.map = k.state
    const error = k.error?.message ?? k.mismatch
    if (error !== undefined && opts.wanted(k.name)) item.error = error
    items.push(item)
  }

  return [...items, ...knowledge.unreachable.map((name) => ({name, slug: ''}))]
}
