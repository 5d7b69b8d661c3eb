import {PositionSet, positionsNotIn, uniquePositions} from '../model/positions.js'
import {type GridMap, type Observer, type Position, positionKey} from '../model/types.js'

/**
 * The one comparison of two states of a map, from `a` to `b`: the new, changed and gone
 * observers (by name) and the new and gone obstacles, and the size. The planner uses it
 * from the server to the file, verification from a read-back to the file, conflict
 * detection from gridsync's last known state to a read.
 */
export interface MapDiff<A extends Observer = Observer, B extends Observer = Observer> {
  /** Set when the sizes differ. */
  size?: {from: Size; to: Size}
  observers: {
    /** In `b` only. */
    new: B[]
    /** In both, at another position or with another vision. */
    changed: Array<{from: A; to: B}>
    /** In `a` only. */
    gone: A[]
  }
  obstacles: {
    /** Rows of `b` on tiles `a` has no obstacle on. */
    new: Position[]
    /** Rows of `a` on tiles `b` has no obstacle on: a tile repeated in `a` is listed once per row. */
    gone: Position[]
  }
}

export interface Size {
  width: number
  height: number
}

interface Shape<O extends Observer> {
  width: number
  height: number
  observers: readonly O[]
  obstacles: readonly Position[]
}

export function diffMaps<A extends Observer, B extends Observer>(a: Shape<A>, b: Shape<B>): MapDiff<A, B> {
  const fromA = new Map(a.observers.map((o) => [o.name, o]))
  const namesB = new Set(b.observers.map((o) => o.name))
  const diff: MapDiff<A, B> = {observers: {new: [], changed: [], gone: []}, obstacles: {new: [], gone: []}}
  if (a.width !== b.width || a.height !== b.height) diff.size = {from: sizeOf(a), to: sizeOf(b)}
  for (const o of b.observers) {
    const before = fromA.get(o.name)
    if (!before) diff.observers.new.push(o)
    else if (!sameObserver(before, o)) diff.observers.changed.push({from: before, to: o})
  }

  diff.observers.gone = a.observers.filter((o) => !namesB.has(o.name))
  diff.obstacles.new = positionsNotIn(b.obstacles, a.obstacles)
  const inB = PositionSet.of(b.obstacles)
  diff.obstacles.gone = a.obstacles.filter((p) => !inB.has(p))
  return diff
}

/** Whether two observers of the same name stand on the same tile with the same vision. */
export function sameObserver(a: Observer, b: Observer): boolean {
  return a.x === b.x && a.y === b.y && a.vision === b.vision
}

export function isEmptyDiff(d: MapDiff<Observer, Observer>): boolean {
  const {observers: o, obstacles: p} = d
  return !d.size && o.new.length + o.changed.length + o.gone.length + p.new.length + p.gone.length === 0
}

/** Whether two states of a map hold the same content (repeated obstacles aside). */
export function sameContent(a: GridMap, b: GridMap): boolean {
  return a.name === b.name && isEmptyDiff(diffMaps(a, b))
}

/** The object a difference is about: `size`, `observer:<name>` or `obstacle:<x>,<y>`. */
export type ObjectKey = string

export function observerKey(name: string): ObjectKey {
  return `observer:${name}`
}

export function obstacleKey(p: Position): ObjectKey {
  return `obstacle:${positionKey(p)}`
}

/** How one object differs, in words: `what` names it, `a` and `b` give its value on each side (null: absent). */
export interface ObjectChange {
  key: ObjectKey
  what: string
  a: string | null
  b: string | null
}

/** The diff object by object (a repeated obstacle once), with each side's value in words. */
export function objectChanges(d: MapDiff<Observer, Observer>): ObjectChange[] {
  const out: ObjectChange[] = []
  if (d.size) out.push({key: 'size', what: 'size', a: sizeText(d.size.from), b: sizeText(d.size.to)})
  for (const o of d.observers.new) out.push({key: observerKey(o.name), what: `observer "${o.name}"`, a: null, b: observerText(o)})
  for (const {from, to} of d.observers.changed) out.push({key: observerKey(to.name), what: `observer "${to.name}"`, a: observerText(from), b: observerText(to)})
  for (const o of d.observers.gone) out.push({key: observerKey(o.name), what: `observer "${o.name}"`, a: observerText(o), b: null})
  for (const p of uniquePositions(d.obstacles.new)) out.push({key: obstacleKey(p), what: `obstacle (${positionKey(p)})`, a: null, b: 'present'})
  for (const p of uniquePositions(d.obstacles.gone)) out.push({key: obstacleKey(p), what: `obstacle (${positionKey(p)})`, a: 'present', b: null})
  return out
}

/**
 * Differences between what the server holds (`a`) and what the file says (`b`), in
 * words, one line an object: what a read-back that does not match shows.
 */
export function differences(server: Shape<Observer>, file: Shape<Observer>): string[] {
  const d = diffMaps(server, file)
  const out: string[] = []
  if (d.size) out.push(`size is ${sizeText(d.size.from)}, the file says ${sizeText(d.size.to)}`)
  for (const o of d.observers.new) out.push(`observer "${o.name}" missing`)
  for (const {from, to} of d.observers.changed) {
    if (from.x !== to.x || from.y !== to.y) out.push(`observer "${to.name}" at (${from.x},${from.y}), the file says (${to.x},${to.y})`)
    else out.push(`observer "${to.name}" vision ${visionText(from.vision)}, the file says ${visionText(to.vision)}`)
  }

  for (const o of d.observers.gone) out.push(`observer "${o.name}" still present`)
  for (const p of uniquePositions(d.obstacles.new)) out.push(`obstacle (${positionKey(p)}) missing`)
  for (const p of uniquePositions(d.obstacles.gone)) out.push(`obstacle (${positionKey(p)}) still present`)
  return out
}

export function sizeText(s: Size): string {
  return `${s.width}x${s.height}`
}

export function visionText(v: number | null): string {
  return v === null ? 'unlimited' : String(v)
}

export function observerText(o: Observer): string {
  return `at (${o.x},${o.y}), vision ${visionText(o.vision)}`
}

function sizeOf(m: Size): Size {
  return {width: m.width, height: m.height}
}
