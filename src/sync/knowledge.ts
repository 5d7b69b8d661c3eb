import {HttpError} from '../api/errors.js'
import type {RemoteMap, RemoteMapSummary} from '../model/types.js'
import type {JournalRecord, JournalWrite} from './journal.js'
import {diffMaps, type ObjectChange, objectChanges, observerText, sameContent, sizeText} from './map-diff.js'
import type {Operation} from './plan-types.js'
import {type LocateClient, probeMap} from './locate.js'
import {runPool} from './pool.js'
import {fingerprint, listedFingerprint} from './state-model.js'

/**
 * What gridsync knows about the server: for each map, what the newest evidence says,
 * what kind of evidence it is and how old it may be. Every plan, verdict, report line
 * and exit code is computed from this, and nothing else guesses about stale answers.
 *
 * The rules, as measured on the reference server (which caches reads for up to the
 * cache time, `cacheMs`, and never clears that cache on a write):
 * - A 404 on a map's URL is never cached: the map is absent now.
 * - A 200 on a map's URL proves the map exists now; only its body may be old.
 * - The listing may be stale both ways: it can miss new maps and still show deleted ones.
 *   Where it disagrees with what gridsync knows, the map's URL is asked (one GET).
 * - A body that shows all of gridsync's writes to the map is current with respect to
 *   them. One that does not proves nothing until `cacheMs` after the last write; after
 *   that it is current. Until then the state gridsync's own writes left stands in for it,
 *   and every claim about the map says so, with the time it can be checked.
 * - A trusted body that differs from the state gridsync last knew is explained by
 *   gridsync's own writes where it can be (a delete the server acknowledged and did not
 *   carry out is refuted; a write whose answer was lost and that did not happen is lost);
 *   any other difference is someone else's edit: a conflict, whoever made the object.
 */

/**
 * - read: the map's URL answered 200 with a body that can be trusted;
 * - writes: the map's URL answered 200, but its body cannot show gridsync's latest
 *   writes yet: the state those writes left stands in for it, until `until`;
 * - gone: the map's URL answered 404: absent now;
 * - unlisted: the listing does not show it and gridsync knows no URL for it: taken as
 *   absent, though the listing may be up to the cache time old (with `until`: gridsync's
 *   create of it lost its answer, so it may exist, and the listing cannot tell before then);
 * - listing: only the listing shows it (it was not read: no file wants it).
 */
export type EvidenceKind = 'read' | 'writes' | 'gone' | 'unlisted' | 'listing'

/** Why a body can be trusted. */
export type Trust = 'shows-own-writes' | 'older-than-cache' | 'no-own-writes'

export interface Evidence {
  kind: EvidenceKind
  /** When the answer behind it was asked for (ms since the epoch). */
  at: number
  /** Why the body is trusted (kind `read`). */
  trust?: Trust
  /**
   * Until when the server's answers may not show gridsync's writes, ms since the epoch:
   * for kind `writes`, the map's body; for kind `unlisted`, the listing, which then may
   * not show a map gridsync's create (its answer lost) made: whether it exists is unknown.
   */
  until?: number
  /** Whether the listing shows the map. */
  listed: boolean
  /** When gridsync last wrote to the map, if it has (ms since the epoch). */
  wroteAt?: number
}

export interface MapKnowledge {
  name: string
  url?: string
  /** The server's content as far as the evidence goes; undefined when absent (or only listed). */
  state?: RemoteMap
  /** The listing's entry, when the listing shows the map. */
  summary?: RemoteMapSummary
  evidence: Evidence
  /** Deletes the server acknowledged that a trusted read shows were not carried out (now or on an earlier run). */
  refuted: Operation[]
  /** Changes on the server since gridsync's last known state that its own writes do not explain. */
  conflicts: ObjectChange[]
  /** gridsync's writes whose answer was lost and that a trusted read shows did not happen: planned again. */
  lost: number
  /** The objects of those lost writes (see map-diff's object keys). */
  lostKeys?: string[]
  /** Fingerprint of what the server answered: its body, or its listing entry; null when absent. */
  observed: string | null
  /** A read of the map's URL that failed with an HTTP error other than 404. */
  error?: HttpError
  /**
   * The body the server answered when it cannot be trusted yet (evidence `writes`): what
   * it shows may exist, so nothing it shows is created again (an obstacle could be doubled).
   */
  unproven?: RemoteMap
  /** The URL gridsync knew for the map answered with another map (renamed, or its address reused). */
  mismatch?: string
}

export interface Knowledge {
  maps: Map<string, MapKnowledge>
  /** When the listing was asked for. */
  listedAt: number
  /** Maps the server lists with an empty slug: they cannot be read, changed or deleted. */
  unreachable: string[]
}

export interface LearnClient extends LocateClient {
  listMaps(): Promise<RemoteMapSummary[]>
  getMap(url: string): Promise<RemoteMap>
}

export interface LearnOptions {
  /** Maps whose contents are needed (those in scope with a file, or wanted by a pull). */
  wanted: (name: string) => boolean
  /** Also look up maps gridsync wrote that the listing does not show, without being wanted (prune needs them). */
  allRecorded: boolean
  /** gridsync's last recorded writes on this server, by map name. */
  records: ReadonlyMap<string, JournalRecord>
  /** The longest the server may serve an old answer (`--stale-window`). */
  cacheMs: number
  now: () => number
  concurrency: number
}

/** Asks the server what the plan needs, and weighs every answer against gridsync's record of its writes. */
export async function learn(client: LearnClient, opts: LearnOptions): Promise<Knowledge> {
  const listedAt = opts.now()
  const all = await client.listMaps()
  // A map with an empty slug has no URL of its own: it can be neither read nor changed.
  const unreachable = all.filter((m) => m.slug === '').map((m) => m.name)
  const listing = new Map(all.filter((m) => m.slug !== '').map((m) => [m.name, m]))
  const maps = new Map<string, MapKnowledge>()

  const lookups: Array<{name: string; url: string; summary?: RemoteMapSummary; record?: JournalRecord}> = []
  const probes: Array<{name: string; record: JournalRecord}> = []
  for (const [name, summary] of listing) {
    const record = opts.records.get(name)
    // The listing shows a map gridsync deleted: it may be a cached listing; the URL tells.
    const disputed = record !== undefined && record.after === null
    if (opts.wanted(name) || disputed) lookups.push({name, url: summary.url, summary, record})
    else maps.set(name, listedOnly(summary, record, listedAt))
  }

  for (const [name, record] of opts.records) {
    // gridsync deleted it, or it is listed: the listing agrees with what gridsync knows.
    if (listing.has(name) || !record.after || !(opts.wanted(name) || opts.allRecorded)) continue
    // The listing does not show a map gridsync knows of: ask its URL, the one answer that is never stale about existence.
    // A map renamed, or created by a request whose answer was lost, has no URL the server named: its slug's is tried.
    const url = record.after.url || record.url
    if (url) lookups.push({name, url, record})
    else probes.push({name, record})
  }

  await runPool(probes, opts.concurrency, async ({name, record}) => {
    const at = opts.now()
    const found = await probeMap(client, name)
    maps.set(name, found ? weigh(found, record, {at, cacheMs: opts.cacheMs, listed: false}) : unseenCreate(name, record, listedAt, opts.cacheMs))
  })

  await runPool(lookups, opts.concurrency, async ({name, url, summary, record}) => {
    const at = opts.now()
    try {
      const body = await client.getMap(url)
      // The URL holds another map (renamed, or its slug reused): the one wanted is not there.
      if (body.name !== name) {
        const mismatch = `its URL ${url} answers with a map named "${body.name}" (renamed meanwhile?)`
        maps.set(name, {...absent(name, record, at, summary, 'unlisted'), mismatch})
      } else maps.set(name, weigh(body, record, {at, cacheMs: opts.cacheMs, listed: summary !== undefined, summary}))
    } catch (error) {
      if (!(error instanceof HttpError)) throw error
      if (error.status === 404) maps.set(name, absent(name, record, at, summary, 'gone'))
      else maps.set(name, {...absent(name, record, at, summary, 'unlisted'), error})
    }
  })

  // Wanted maps neither listed nor known to gridsync: absent, as far as the listing tells.
  return {maps, listedAt, unreachable}
}

/** What gridsync knows of a map nobody read, from the listing alone. */
function listedOnly(summary: RemoteMapSummary, record: JournalRecord | undefined, at: number): MapKnowledge {
  return {
    name: summary.name,
    url: summary.url,
    summary,
    evidence: {kind: 'listing', at, listed: true, wroteAt: wroteAt(record)},
    refuted: [],
    conflicts: [],
    lost: 0,
    observed: listedFingerprint(summary),
  }
}

function absent(name: string, record: JournalRecord | undefined, at: number, summary: RemoteMapSummary | undefined, kind: 'gone' | 'unlisted'): MapKnowledge {
  return {name, summary, evidence: {kind, at, listed: summary !== undefined, wroteAt: wroteAt(record)}, refuted: [], conflicts: [], lost: 0, observed: null}
}

/**
 * A map gridsync sent a create for whose answer was lost, so it knows no URL for it (the
 * API gives a map's URL only in the create's answer and the listing), and the listing does
 * not show it. A listing asked for at least the cache time after the create shows the
 * server's state after it: the map is absent. An earlier one may be a cached answer from
 * before the create: whether the map exists is not known until `until`.
 */
function unseenCreate(name: string, record: JournalRecord, listedAt: number, cacheMs: number): MapKnowledge {
  const k = absent(name, record, listedAt, undefined, 'unlisted')
  const last = k.evidence.wroteAt
  if (last !== undefined && listedAt - last < cacheMs) k.evidence.until = last + cacheMs
  return k
}

/** What a map absent from the listing, and unknown to gridsync, is taken for. */
export function unlisted(name: string, at: number): MapKnowledge {
  return absent(name, undefined, at, undefined, 'unlisted')
}

function wroteAt(record: JournalRecord | undefined): number | undefined {
  return record?.wroteAt ? Date.parse(record.wroteAt) : undefined
}

/**
 * What a 200 body of a map's URL, asked for at `at`, says, given gridsync's last record
 * of its writes to the map. Pure: planning and verification both weigh with it.
 */
export function weigh(body: RemoteMap, record: JournalRecord | undefined, opts: {at: number; cacheMs: number; listed: boolean; summary?: RemoteMapSummary}): MapKnowledge {
  const {at, cacheMs, listed} = opts
  const last = wroteAt(record)
  const base = {name: body.name, url: body.url, summary: opts.summary, observed: fingerprint(body), lost: 0}
  const trust: Trust | undefined =
    !record?.after || last === undefined ? 'no-own-writes' : sameContent(body, record.after) ? 'shows-own-writes' : at - last >= cacheMs ? 'older-than-cache' : undefined

  if (trust === undefined) {
    // Too soon after gridsync's writes to tell a cached answer from a current one: the
    // state those writes left stands in, and deletes proven refuted before stay so.
    return {
      ...base,
      state: record!.after!,
      unproven: body,
      evidence: {kind: 'writes', at, listed, wroteAt: last, until: last! + cacheMs},
      refuted: [...(record!.refuted ?? [])],
      conflicts: [],
    }
  }

  const evidence: Evidence = {kind: 'read', at, trust, listed, wroteAt: last}
  if (!record?.after || trust === 'shows-own-writes') return {...base, state: body, evidence, refuted: [], conflicts: []}
  const explained = explain(body, record)
  return {...base, state: body, evidence, ...explained}
}

/**
 * Explains how a trusted read differs from the state gridsync's writes left: an
 * acknowledged delete whose object the read still shows is refuted; an object whose last
 * write lost its answer and that the read shows as it was before that write is that
 * write, lost; anything else is someone else's edit, whoever created the object.
 */
export function explain(read: RemoteMap, record: JournalRecord): {refuted: Operation[]; conflicts: ObjectChange[]; lost: number; lostKeys: string[]} {
  const lastWrite = new Map<string, JournalWrite>()
  for (const w of record.writes) {
    const key = objectKey(w.op)
    if (key) lastWrite.set(key, w)
  }

  const refuted: Operation[] = []
  const conflicts: ObjectChange[] = []
  const lostKeys: string[] = []
  for (const change of objectChanges(diffMaps(record.after!, read))) {
    const write = lastWrite.get(change.key)
    const isDelete = write?.op.kind === 'deleteObstacle' || write?.op.kind === 'deleteObserver'
    if (write?.state === 'acknowledged' && isDelete && change.a === null && change.b !== null) refuted.push(write.op)
    else if (write?.state === 'uncertain' && change.b === valueBefore(write.op)) lostKeys.push(change.key)
    else conflicts.push(change)
  }

  return {refuted, conflicts, lost: lostKeys.length, lostKeys}
}

/**
 * What an object was before the operation, in the words of objectChanges (null: absent):
 * a write whose answer was lost explains a difference only when the server still shows that.
 */
function valueBefore(op: Operation): string | null {
  switch (op.kind) {
    case 'createObserver':
    case 'createObstacle':
    case 'createMap': {
      return null
    }

    case 'deleteObstacle': {
      return 'present'
    }

    case 'deleteObserver': {
      return observerText(op.observer)
    }

    case 'updateObserver': {
      return observerText(op.from)
    }

    case 'updateMap': {
      return sizeText(op.from)
    }

    case 'deleteMap': {
      return null
    }
  }
}

/** The object an operation is about: `size`, `observer:<name>` or `obstacle:<x>,<y>` (see map-diff). */
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
      return `obstacle:${op.position.x},${op.position.y}`
    }

    case 'deleteMap': {
      return undefined
    }
  }
}

/** Whether the evidence proves the map's state (a trusted read, or a 404). */
export function isKnown(k: MapKnowledge): boolean {
  return k.evidence.kind === 'read' || k.evidence.kind === 'gone'
}
