import type {GridMap, LocalMap, Observer, Position, RemoteMap, RemoteObserver} from '../model/types.js'
import type {Evidence} from './knowledge.js'
import type {ObjectChange} from './map-diff.js'

/**
 * The plan: what a push would do, as data. Built by plan(), shown by the renderers,
 * carried out by apply(), checked by verify().
 */

/**
 * create, update, delete: what a push does to the map. unchanged: in sync. untracked:
 * only on the server, kept (no --prune). invalid: the local file failed to parse, so the
 * map is left alone whatever the server holds. conflict: someone else changed the map on the
 * server since gridsync last knew it; left alone unless --force. rebuild: the server refuses
 * deletes on it, so it is deleted and created again from the file (--rebuild). rename: the
 * file's map name changed since gridsync last pushed it (and no file keeps the old name):
 * the server's map is renamed, keeping its observers and obstacles, and updated to match.
 */
export type MapAction = 'create' | 'update' | 'delete' | 'rebuild' | 'rename' | 'unchanged' | 'untracked' | 'invalid' | 'conflict'

export interface MapBody {
  name: string
  width: number
  height: number
}

export interface ObserverUpdate {
  from: RemoteObserver
  to: Observer
}

/** The diff of one map: new, changed and gone observers and obstacles. */
export interface MapChanges {
  observers: {create: Observer[]; update: ObserverUpdate[]; delete: RemoteObserver[]}
  obstacles: {create: Position[]; delete: Position[]}
}

export interface MapPlan {
  name: string
  action: MapAction
  /** The local file, when there is one. */
  file?: string
  /** The map's URL on the server, when it exists there. */
  url?: string
  local?: LocalMap
  /** The remote state the plan was computed against (see `evidence`). */
  remote?: RemoteMap
  /**
   * What `remote` rests on: a trusted read, a 404, the listing, or gridsync's own recent
   * writes while the server's answers cannot show them yet (see sync/knowledge.ts).
   */
  evidence?: Evidence
  /** Changes someone else made on the server since gridsync last knew the map (action conflict). */
  conflicts?: ObjectChange[]
  resize?: {from: {width: number; height: number}; to: {width: number; height: number}}
  changes: MapChanges
  /**
   * Deletes the server acknowledged in an earlier run but never carried out (a trusted
   * read still shows the objects); they are not sent again.
   */
  refuted?: Operation[]
  /** Action rename: the name the map has on the server, which gridsync last pushed from this file. */
  renamedFrom?: string
  /** Why the map is left alone (invalid), or other remarks for the user. */
  notes: string[]
}

export type Phase = 1 | 2 | 3

interface OpBase {
  /** Position in plan.operations. */
  id: number
  /** Name of the map the operation belongs to. */
  map: string
  /** 1: deletes of observers and maps; 2: map creates and resizes; 3: placements, then renames. */
  phase: Phase
  /** Operations that must have succeeded first; if one fails this one is skipped. */
  dependsOn: number[]
  reason: string
}

export type Operation = OpBase &
  (
    | {kind: 'createMap'; body: MapBody}
    | {
        kind: 'updateMap'
        body: MapBody
        from: {width: number; height: number}
        /**
         * A rename: the map's name before it. The map's URL changes with it (and the API gives
         * no new one), so a rename comes after every other operation on the map.
         */
        renamedFrom?: string
      }
    | {kind: 'deleteMap'}
    | {kind: 'createObserver'; observer: Observer}
    | {kind: 'updateObserver'; observer: Observer; from: RemoteObserver}
    | {kind: 'deleteObserver'; observer: RemoteObserver}
    | {kind: 'createObstacle'; position: Position}
    | {kind: 'deleteObstacle'; position: Position}
  )

export type OperationKind = Operation['kind']

export interface PlanSummary {
  maps: {create: number; update: number; delete: number; unchanged: number; rebuild: number; rename: number}
  observers: {create: number; update: number; delete: number}
  obstacles: {create: number; delete: number}
}

export interface Plan {
  server: string
  maps: MapPlan[]
  operations: Operation[]
  summary: PlanSummary
  /** Run-wide remarks, e.g. prune disabled because a file could not be read. */
  warnings: string[]
}

export function emptyChanges(): MapChanges {
  return {observers: {create: [], update: [], delete: []}, obstacles: {create: [], delete: []}}
}

export function hasChanges(c: MapChanges): boolean {
  return c.observers.create.length + c.observers.update.length + c.observers.delete.length + c.obstacles.create.length + c.obstacles.delete.length > 0
}

/** Target content of a map after the plan: the local map, or nothing when deleted. */
export function targetOf(mp: MapPlan): GridMap | undefined {
  return mp.action === 'delete' ? undefined : mp.local
}
