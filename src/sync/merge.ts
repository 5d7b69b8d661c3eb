/**
 * The two-way merge of one map, object by object: the map's size, each observer (by
 * name: its position and vision) and each obstacle. Three states are compared: the file,
 * the server, and the base (the last state both were known to agree on; none before a
 * first sync). For each object:
 * - the same in the file and on the server: nothing to do;
 * - changed only in the file (the server still has the base's value): sent to the server;
 * - changed only on the server: written into the file;
 * - changed on both sides to different values, or different with no base to tell which
 *   side changed: a conflict; both sides keep their value, unless `prefer` picks one.
 * Pure: it reads and writes nothing. The diff of maps itself is map-diff's.
 */
import {uniquePositions} from '../model/positions.js'
import {type GridMap, type Observer, type Position, positionKey} from '../model/types.js'
import {observerKey, observerText, obstacleKey, sizeText} from './map-diff.js'

export type Prefer = 'local' | 'remote'

/** One object's value on each side, in the words of map-diff (null: absent). */
export interface ObjectState {
  key: string
  what: string
  base: string | null
  file: string | null
  server: string | null
}

export interface MapMerge {
  /** Objects whose file value goes to the server. */
  toServer: ObjectState[]
  /** Objects whose server value goes into the file. */
  toFile: ObjectState[]
  /** Objects changed on both sides differently (or differing with no base), each side keeping its value unless `prefer`. */
  conflicts: ObjectState[]
  /**
   * Objects whose server value cannot be told yet (`unsure`): each side keeps its value and
   * the base its own, until an answer can be trusted. Their `server` is the server's
   * stand-in value (the state gridsync's writes left).
   */
  held: ObjectState[]
  /** What the server is to hold. */
  server: GridMap
  /** What the file is to say. */
  file: GridMap
  /**
   * What both sides agree on after the merge: the new base (a conflicting object keeps its
   * old base value). None when there was no base and a conflict remains: no value of that
   * object was ever agreed on, and any value recorded for it would make the next merge
   * take one side's value over the other's without a conflict.
   */
  base: GridMap | undefined
}

type Value = {kind: 'size'; width: number; height: number} | {kind: 'observer'; observer: Observer} | {kind: 'obstacle'; position: Position}

interface Entry {
  what: string
  text: string
  value: Value
}

/** A map as its objects, by key: `size`, `observer:<name>`, `obstacle:<x>,<y>` (a repeated obstacle once). */
function objectsOf(m: GridMap): Map<string, Entry> {
  const out = new Map<string, Entry>()
  out.set('size', {what: 'size', text: sizeText(m), value: {kind: 'size', width: m.width, height: m.height}})
  for (const o of m.observers) {
    const observer = {name: o.name, x: o.x, y: o.y, vision: o.vision}
    out.set(observerKey(o.name), {what: `observer "${o.name}"`, text: observerText(o), value: {kind: 'observer', observer}})
  }

  for (const p of uniquePositions(m.obstacles)) {
    out.set(obstacleKey(p), {what: `obstacle (${positionKey(p)})`, text: 'present', value: {kind: 'obstacle', position: {x: p.x, y: p.y}}})
  }

  return out
}

/** The map made of these objects (a map without a size entry keeps `fallback`'s size). */
function mapOf(name: string, entries: Iterable<Entry>, fallback: GridMap): GridMap {
  const m: GridMap = {name, width: fallback.width, height: fallback.height, observers: [], obstacles: []}
  for (const {value} of entries) {
    if (value.kind === 'size') {
      m.width = value.width
      m.height = value.height
    } else if (value.kind === 'observer') m.observers.push(value.observer)
    else m.obstacles.push(value.position)
  }

  return m
}

/**
 * Merges the file's and the server's state of a map against their base. `refuted`: keys
 * of objects the server acknowledged deleting but still shows; their server value counts
 * as the delete gridsync made (never a server edit to take into the file). `lost`: keys
 * of objects whose write by gridsync lost its answer and did not happen: the server's
 * value there is no edit of the server's either. `unsure`: keys of objects whose server
 * value cannot be told yet (see `held`).
 */
export function mergeMap(input: {
  name: string
  base?: GridMap
  file: GridMap
  server: GridMap
  prefer?: Prefer
  refuted?: ReadonlySet<string>
  lost?: ReadonlySet<string>
  unsure?: ReadonlySet<string>
}): MapMerge {
  const b = input.base ? objectsOf(input.base) : undefined
  const f = objectsOf(input.file)
  const s = objectsOf(input.server)
  for (const key of input.refuted ?? []) s.delete(key)
  // A write of gridsync's that was lost never reached the server: for that object the server still holds the agreed value.
  for (const key of input.lost ?? []) {
    const se = s.get(key)
    if (!b) break
    if (se) b.set(key, se)
    else b.delete(key)
  }

  const toServer: ObjectState[] = []
  const toFile: ObjectState[] = []
  const conflicts: ObjectState[] = []
  const held: ObjectState[] = []
  const serverSide = new Map<string, Entry>()
  const fileSide = new Map<string, Entry>()
  const agreed = new Map<string, Entry>()
  const keys = new Set([...(b?.keys() ?? []), ...f.keys(), ...s.keys()])
  for (const key of [...keys].sort(byKey)) {
    const be = b?.get(key)
    const fe = f.get(key)
    const se = s.get(key)
    const state: ObjectState = {key, what: (fe ?? se ?? be)!.what, base: b ? (be?.text ?? null) : null, file: fe?.text ?? null, server: se?.text ?? null}
    const put = (target: Map<string, Entry>, e: Entry | undefined) => {
      if (e) target.set(key, e)
    }

    // The server's answer for it may be a cached one from before gridsync's writes, or show someone else's edit: nothing moves.
    if (input.unsure?.has(key)) {
      held.push(state)
      put(serverSide, se)
      put(fileSide, fe)
      put(agreed, be)
      continue
    }

    if (state.file === state.server) {
      put(serverSide, se)
      put(fileSide, fe)
      put(agreed, fe)
      continue
    }

    const fileChanged = !b || state.file !== state.base
    const serverChanged = !b || state.server !== state.base
    if (fileChanged && !serverChanged) {
      toServer.push(state)
      put(serverSide, fe)
      put(fileSide, fe)
      put(agreed, fe)
    } else if (serverChanged && !fileChanged) {
      toFile.push(state)
      put(serverSide, se)
      put(fileSide, se)
      put(agreed, se)
    } else if (input.prefer === 'local') {
      toServer.push(state)
      put(serverSide, fe)
      put(fileSide, fe)
      put(agreed, fe)
    } else if (input.prefer === 'remote') {
      toFile.push(state)
      put(serverSide, se)
      put(fileSide, se)
      put(agreed, se)
    } else {
      conflicts.push(state)
      put(serverSide, se)
      put(fileSide, fe)
      put(agreed, be)
    }
  }

  return {
    toServer,
    toFile,
    conflicts,
    held,
    server: mapOf(input.name, serverSide.values(), input.server),
    file: mapOf(input.name, fileSide.values(), input.file),
    base: input.base || conflicts.length + held.length === 0 ? mapOf(input.name, agreed.values(), input.base ?? input.file) : undefined,
  }
}

/** `size` first, then observers by name, then obstacles by row and column. */
function byKey(a: string, b: string): number {
  const rank = (k: string) => (k === 'size' ? 0 : k.startsWith('observer:') ? 1 : 2)
  if (rank(a) !== rank(b)) return rank(a) - rank(b)
  if (rank(a) === 2) {
    const [ax, ay] = a.slice('obstacle:'.length).split(',').map(Number) as [number, number]
    const [bx, by] = b.slice('obstacle:'.length).split(',').map(Number) as [number, number]
    return ay - by || ax - bx
  }

  return a < b ? -1 : a > b ? 1 : 0
}
