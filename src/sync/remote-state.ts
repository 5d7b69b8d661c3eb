import {positionsNotIn} from '../model/positions.js'
import {type GridMap, positionKey, type RemoteMap, type RemoteMapSummary} from '../model/types.js'
import type {SyncClient} from './apply.js'
import type {JournalRecord} from './journal.js'
import type {RemoteEntry} from './plan.js'
import type {Operation} from './plan-types.js'
import {runPool} from './pool.js'
import {fingerprint, listedFingerprint} from './state-model.js'

export interface RemoteState {
  /** The server as the planner should see it, stale answers replaced by recorded writes. */
  entries: RemoteEntry[]
  /** Per map name, the fingerprint of what the server itself answered: its contents, or its listing entry when not read (null: not listed). */
  observed: Map<string, string | null>
  /** Maps the server lists with an empty slug: they cannot be read, changed or deleted. */
  unreachable: string[]
}

export interface ReadOptions {
  /** Maps whose contents the plan needs (those with a local file). */
  details: ReadonlySet<string>
  /** gridsync's last recorded writes on this server, by map name. */
  records: ReadonlyMap<string, JournalRecord>
  /** For how long after writes a read identical to the one before them counts as stale. */
  staleWindowMs: number
  now: number
  concurrency: number
}

/**
 * Reads what the plan needs from the server: the listing, and the contents of each map
 * named in `details` that the server lists. Then weighs each answer against gridsync's
 * record of its own writes: soon after them, an answer identical to the one they were
 * planned from is stale and the recorded state stands in for it; any other answer is
 * trusted, and where it differs from what gridsync left, the difference is explained
 * (a delete the server did not carry out, a write whose answer was lost) or is someone
 * else's edit: a conflict.
 */
export async function readRemote(client: Pick<SyncClient, 'getMap' | 'listMaps'>, opts: ReadOptions): Promise<RemoteState> {
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

  const recent = (r: JournalRecord): boolean => opts.now - Date.parse(r.at) < opts.staleWindowMs
  const entries: RemoteEntry[] = []
  const observed = new Map<string, string | null>()
  const listed = new Set<string>()
  for (const summary of listing) {
    listed.add(summary.name)
    const read = reads.get(summary.name)
    const record = opts.records.get(summary.name)
    const seen = read ? fingerprint(read) : listedFingerprint(summary)
    observed.set(summary.name, seen)
    const stale = record !== undefined && recent(record) && record.before !== null && seen === record.before
    if (stale) {
      observed.set(summary.name, record.before)
      if (record.after) entries.push(fromRecord(record.after))
    } else if (read && record?.after && seen !== fingerprint(record.after)) {
      entries.push({summary, details: read, source: 'server', ...explain(read, record)})
    } else {
      entries.push({summary, details: read, source: 'server'})
    }
  }

  // Maps gridsync created recently that a stale listing does not show yet.
  for (const [name, record] of opts.records) {
    if (listed.has(name) || record.before !== null || !record.after || !recent(record)) continue
    observed.set(name, null)
    entries.push(fromRecord(record.after))
  }

  return {entries, observed, unreachable}
}

function fromRecord(map: RemoteMap): RemoteEntry {
  const summary: RemoteMapSummary = {name: map.name, slug: map.slug, width: map.width, height: map.height, url: map.url}
  return {summary, details: map, source: 'journal'}
}

/**
 * Explains how a trusted read differs from the state gridsync's last writes left.
 * A difference on an object those writes touched is theirs: an acknowledged delete the
 * read still shows is refuted (the server said yes and did nothing); anything else there
 * was lost and is simply planned again. A difference on an object they did not touch is
 * someone else's edit.
 */
export function explain(read: GridMap, record: JournalRecord): {refuted: Operation[]; conflicts: string[]} {
  const left = record.after!
  const touched = new Map<string, {op: Operation; acknowledged: boolean}>()
  for (const w of record.writes) {
    const key = objectKey(w.op)
    if (key) touched.set(key, {op: w.op, acknowledged: w.state === 'acknowledged'})
  }

  const refuted: Operation[] = []
  const conflicts: string[] = []
  for (const [key, {description, onServer}] of objectDifferences(read, left)) {
    const write = touched.get(key)
    if (!write) conflicts.push(description)
    else if (write.acknowledged && (write.op.kind === 'deleteObstacle' || write.op.kind === 'deleteObserver') && onServer) refuted.push(write.op)
  }

  return {refuted, conflicts}
}

/** The object an operation is about: `size`, `observer:<name>` or `obstacle:<x>,<y>`. */
export function objectKey(op: Operation): string | undefined {
  switch (op.kind) {
    case 'createMap':
    case 'updateMap': {
      return 'size'
    }

    case 'createObserver':
    case 'updateObserver':
    case 'deleteObserver': {
      return `observer:${op.observer.name}`
    }

    case 'createObstacle':
    case 'deleteObstacle': {
      return `obstacle:${positionKey(op.position)}`
    }

    case 'deleteMap': {
      return undefined
    }
  }
}

/** How an object differs between two states of a map, and whether the server's state holds it. */
interface ObjectDifference {
  description: string
  onServer: boolean
}

/** Objects that differ between two states of a map, by key. */
function objectDifferences(server: GridMap, left: GridMap): Map<string, ObjectDifference> {
  const out = new Map<string, ObjectDifference>()
  if (server.width !== left.width || server.height !== left.height) {
    out.set('size', {description: `size is ${server.width}x${server.height}; gridsync left it ${left.width}x${left.height}`, onServer: true})
  }

  const leftObservers = new Map(left.observers.map((o) => [o.name, o]))
  const serverObservers = new Map(server.observers.map((o) => [o.name, o]))
  for (const [name, o] of serverObservers) {
    const l = leftObservers.get(name)
    if (!l) out.set(`observer:${name}`, {description: `observer "${name}" was added at (${o.x},${o.y})`, onServer: true})
    else if (l.x !== o.x || l.y !== o.y || l.vision !== o.vision) out.set(`observer:${name}`, {description: `observer "${name}" was changed`, onServer: true})
  }

  for (const name of leftObservers.keys()) if (!serverObservers.has(name)) out.set(`observer:${name}`, {description: `observer "${name}" was removed`, onServer: false})
  for (const p of positionsNotIn(server.obstacles, left.obstacles)) {
    out.set(`obstacle:${positionKey(p)}`, {description: `obstacle (${positionKey(p)}) was added`, onServer: true})
  }

  for (const p of positionsNotIn(left.obstacles, server.obstacles)) {
    out.set(`obstacle:${positionKey(p)}`, {description: `obstacle (${positionKey(p)}) was removed`, onServer: false})
  }

  return out
}
