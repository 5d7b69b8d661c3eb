import type {RemoteMap, RemoteMapSummary} from '../model/types.js'
import type {SyncClient} from './apply.js'
import type {JournalRecord} from './journal.js'
import type {RemoteEntry} from './plan.js'
import {runPool} from './pool.js'
import {fingerprint} from './state-model.js'

export interface RemoteState {
  /** The server as the planner should see it, stale answers replaced by recorded writes. */
  entries: RemoteEntry[]
  /** Per map name, the fingerprint of what the server itself answered (null: not listed). */
  observed: Map<string, string | null>
  /** Maps the server lists with an empty slug: they cannot be read, changed or deleted. */
  unreachable: string[]
}

/**
 * Reads what the plan needs from the server: the listing, and the contents of each map
 * named in `details` (those with a local file) that the server lists. Answers
 * recognised as stale (identical to the one gridsync's recent writes were planned
 * from) are replaced by the state those writes left.
 */
export async function readRemote(
  client: Pick<SyncClient, 'getMap' | 'listMaps'>,
  opts: {details: ReadonlySet<string>; records: ReadonlyMap<string, JournalRecord>; concurrency: number},
): Promise<RemoteState> {
  const all = await client.listMaps()
  // A map with an empty slug has no URL of its own: it can be neither read nor changed.
  const unreachable = all.filter((m) => m.slug === '').map((m) => m.name)
  const listing = all.filter((m) => m.slug !== '')
  const reads = new Map<string, RemoteMap>()
  await runPool(
    listing.filter((m) => opts.details.has(m.name)),
    opts.concurrency,
    async (m) => {
      reads.set(m.name, await client.getMap(m.url))
    },
  )

  const entries: RemoteEntry[] = []
  const observed = new Map<string, string | null>()
  const listed = new Set<string>()
  for (const summary of listing) {
    listed.add(summary.name)
    const read = reads.get(summary.name)
    const record = opts.records.get(summary.name)
    const seen = read ? fingerprint(read) : undefined
    if (seen !== undefined) observed.set(summary.name, seen)
    const stale = record !== undefined && record.before !== null && (seen === undefined ? record.after === null : seen === record.before)
    if (stale) {
      observed.set(summary.name, record.before)
      if (record.after) entries.push(fromRecord(record.after))
    } else {
      entries.push({summary, details: read, source: 'server'})
    }
  }

  // Maps gridsync created recently that a stale listing does not show yet.
  for (const [name, record] of opts.records) {
    if (listed.has(name) || record.before !== null || !record.after) continue
    observed.set(name, null)
    entries.push(fromRecord(record.after))
  }

  return {entries, observed, unreachable}
}

function fromRecord(map: RemoteMap): RemoteEntry {
  const summary: RemoteMapSummary = {name: map.name, slug: map.slug, width: map.width, height: map.height, url: map.url}
  return {summary, details: map, source: 'journal'}
}
