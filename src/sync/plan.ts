import {PositionSet} from '../model/positions.js'
import {type LocalMap, type Observer, type Position, positionKey, type RemoteMap, type RemoteMapSummary} from '../model/types.js'
import {emptyChanges, hasChanges, type MapChanges, type MapPlan, type Operation, type Plan, type PlanSummary} from './plan-types.js'
import {compareNatural} from '../model/order.js'

/** A map on the server as the planner sees it: the listing entry, and its contents when read. */
export interface RemoteEntry {
  summary: RemoteMapSummary
  /** Contents; read for every map that also has a local file. */
  details?: RemoteMap
  source: 'server' | 'journal'
  /** Deletes of gridsync's that the server acknowledged but a trusted read still shows. */
  refuted?: Operation[]
  /** Edits someone else made since gridsync last wrote the map. */
  conflicts?: string[]
}

export interface PlanInput {
  server: string
  local: LocalMap[]
  /** Local files that failed to parse; `name` when the first line could still be read. */
  invalid: ReadonlyArray<{file: string; name?: string; problems: string[]}>
  remote: RemoteEntry[]
  /** Delete maps that exist only on the server. */
  prune: boolean
  /** Limit the plan to these map names. */
  only?: readonly string[]
  /** Overwrite maps someone else changed on the server since gridsync last wrote them. */
  force?: boolean
}

/**
 * Computes what a push must do so that the server matches the local maps. Pure: it reads
 * nothing and writes nothing. Operations are ordered in phases the API demands across
 * maps: deletes first (observer names are unique server-wide, so a moved observer must
 * leave its old map before it can join the new one), then map creates and resizes, then
 * placements.
 */
export function plan(input: PlanInput): Plan {
  const only = input.only ? new Set(input.only) : undefined
  const selected = (name: string): boolean => !only || only.has(name)
  const warnings: string[] = []

  const localByName = new Map(input.local.map((m) => [m.name, m]))
  const remoteByName = new Map(input.remote.map((r) => [r.summary.name, r]))
  const invalidNames = new Set(input.invalid.flatMap((f) => (f.name === undefined ? [] : [f.name])))

  let prune = input.prune
  if (prune && input.local.length === 0 && input.invalid.length === 0) {
    warnings.push('No map files found: nothing is pruned, since an empty directory more likely means a wrong path than a wish to delete every map.')
    prune = false
  }

  if (prune && input.invalid.some((f) => f.name === undefined)) {
    warnings.push('A map file could not be read far enough to know its map name: nothing is pruned until it is fixed.')
    prune = false
  }

  const maps: MapPlan[] = []
  for (const file of input.invalid) {
    const name = file.name ?? file.file
    if (!selected(name)) continue
    const remote = file.name === undefined ? undefined : remoteByName.get(file.name)
    maps.push({
      name,
      action: 'invalid',
      file: file.file,
      url: remote?.summary.url,
      changes: emptyChanges(),
      notes: [`${file.file} is invalid, so this map is left alone on the server`, ...file.problems],
    })
  }

  for (const local of input.local) {
    if (!selected(local.name)) continue
    const remote = remoteByName.get(local.name)
    maps.push(remote ? planExisting(local, remote, input.force ?? false) : planCreate(local))
  }

  for (const remote of input.remote) {
    const name = remote.summary.name
    if (localByName.has(name) || invalidNames.has(name) || !selected(name)) continue
    maps.push({
      name,
      action: prune ? 'delete' : 'untracked',
      url: remote.summary.url,
      remote: remote.details,
      remoteSource: remote.source,
      changes: emptyChanges(),
      notes: prune ? [] : ['only on the server; kept (use --prune to delete it)'],
    })
  }

  maps.sort((a, b) => compareNames(a.name, b.name))
  return {server: input.server, maps, operations: operationsFor(maps), summary: summarize(maps), warnings}
}

function planCreate(local: LocalMap): MapPlan {
  const changes = emptyChanges()
  changes.observers.create = local.observers.map(toObserver)
  changes.obstacles.create = [...local.obstacles]
  return {name: local.name, action: 'create', file: local.file, local, changes, notes: []}
}

function planExisting(local: LocalMap, entry: RemoteEntry, force: boolean): MapPlan {
  const remote = entry.details
  if (!remote) throw new Error(`internal: map "${local.name}" exists on the server but was not read`)
  const changes: MapChanges = emptyChanges()

  const remoteObservers = new Map(remote.observers.map((o) => [o.name, o]))
  for (const o of local.observers) {
    const r = remoteObservers.get(o.name)
    if (!r) changes.observers.create.push(toObserver(o))
    else if (r.x !== o.x || r.y !== o.y || r.vision !== o.vision) changes.observers.update.push({from: r, to: toObserver(o)})
  }

  // A delete the server acknowledged before but never carried out is not sent again.
  const refutedKeys = new Set((entry.refuted ?? []).map((op) => (op.kind === 'deleteObstacle' ? `o:${positionKey(op.position)}` : op.kind === 'deleteObserver' ? `n:${op.observer.name}` : '')))
  const localObserverNames = new Set(local.observers.map((o) => o.name))
  const goneObservers = remote.observers.filter((o) => !localObserverNames.has(o.name))
  changes.observers.delete = goneObservers.filter((o) => !refutedKeys.has(`n:${o.name}`))

  // Remote obstacles may be duplicated: one row or several, it is one obstacle, never
  // created again; but removing it takes a delete for each row.
  const inFile = PositionSet.of(local.obstacles)
  const onServer = PositionSet.of(remote.obstacles)
  changes.obstacles.create = local.obstacles.filter((p) => !onServer.has(p))
  const goneObstacles = remote.obstacles.filter((p) => !inFile.has(p)).map((p) => ({x: p.x, y: p.y}))
  changes.obstacles.delete = goneObstacles.filter((p) => !refutedKeys.has(`o:${positionKey(p)}`))

  const stillWanted = new Set([...goneObservers.map((o) => `n:${o.name}`), ...goneObstacles.map((p) => `o:${positionKey(p)}`)])
  const refuted = (entry.refuted ?? []).filter((op) =>
    stillWanted.has(op.kind === 'deleteObstacle' ? `o:${positionKey(op.position)}` : op.kind === 'deleteObserver' ? `n:${op.observer.name}` : ''),
  )

  const resized = remote.width !== local.width || remote.height !== local.height
  const changed = resized || hasChanges(changes)
  const conflicts = entry.conflicts ?? []
  const conflict = changed && conflicts.length > 0
  const notes = conflict
    ? force
      ? [`changed on the server by someone else since gridsync last wrote it; overwritten (--force): ${conflicts.join('; ')}`]
      : [`changed on the server by someone else since gridsync last wrote it, so it is left alone (--force overwrites it): ${conflicts.join('; ')}`]
    : []
  return {
    name: local.name,
    action: conflict && !force ? 'conflict' : changed ? 'update' : 'unchanged',
    file: local.file,
    url: entry.summary.url,
    local,
    remote,
    remoteSource: entry.source,
    resize: resized ? {from: {width: remote.width, height: remote.height}, to: {width: local.width, height: local.height}} : undefined,
    changes,
    refuted: refuted.length > 0 ? refuted : undefined,
    notes,
  }
}

type NewOperation = Operation extends infer O ? (O extends Operation ? Omit<O, 'id'> : never) : never

/** Turns the per-map changes into ordered operations with their dependencies. */
function operationsFor(maps: MapPlan[]): Operation[] {
  const ops: Operation[] = []
  const add = (op: NewOperation): number => {
    const id = ops.length
    ops.push({...op, id} as Operation)
    return id
  }

  // Phase 1: observer deletes everywhere, and pruned maps (which takes their observers along).
  const deletedObserver = new Map<string, number>()
  maps = maps.filter((mp) => mp.action !== 'conflict')
  for (const mp of maps) {
    for (const o of mp.changes.observers.delete) {
      const id = add({kind: 'deleteObserver', map: mp.name, phase: 1, dependsOn: [], observer: o, reason: `observer "${o.name}" is not in the file`})
      deletedObserver.set(o.name, id)
    }

    if (mp.action === 'delete') add({kind: 'deleteMap', map: mp.name, phase: 1, dependsOn: [], reason: 'map has no file (--prune)'})
  }

  // Phase 2: maps created or resized before anything is placed on them.
  const mapOp = new Map<string, number>()
  for (const mp of maps) {
    const local = mp.local
    if (!local) continue
    const body = {name: local.name, width: local.width, height: local.height}
    if (mp.action === 'create') {
      mapOp.set(mp.name, add({kind: 'createMap', map: mp.name, phase: 2, dependsOn: [], body, reason: 'map is only in the files'}))
    } else if (mp.resize) {
      const {from, to} = mp.resize
      const reason = `size ${from.width}x${from.height} -> ${to.width}x${to.height}`
      mapOp.set(mp.name, add({kind: 'updateMap', map: mp.name, phase: 2, dependsOn: [], body, from, reason}))
    }
  }

  // Phase 3: placements, each after its map's create or resize (and a moved observer after its delete).
  for (const mp of maps) {
    const c = mp.changes
    const base = mapOp.has(mp.name) ? [mapOp.get(mp.name)!] : []
    for (const position of c.obstacles.delete) {
      add({kind: 'deleteObstacle', map: mp.name, phase: 3, dependsOn: base, position, reason: `obstacle ${at(position)} is not in the file`})
    }

    for (const u of c.observers.update) {
      add({kind: 'updateObserver', map: mp.name, phase: 3, dependsOn: base, observer: u.to, from: u.from, reason: describeUpdate(u.from, u.to)})
    }

    for (const o of c.observers.create) {
      const moved = deletedObserver.get(o.name)
      const dependsOn = moved === undefined ? base : [...base, moved]
      const reason = moved === undefined ? `observer "${o.name}" is only in the file` : `observer "${o.name}" moves here from map "${ops[moved]!.map}"`
      add({kind: 'createObserver', map: mp.name, phase: 3, dependsOn, observer: o, reason})
    }

    for (const position of c.obstacles.create) {
      add({kind: 'createObstacle', map: mp.name, phase: 3, dependsOn: base, position, reason: `obstacle ${at(position)} is only in the file`})
    }
  }

  return ops
}

function summarize(maps: MapPlan[]): PlanSummary {
  const s: PlanSummary = {
    maps: {create: 0, update: 0, delete: 0, unchanged: 0},
    observers: {create: 0, update: 0, delete: 0},
    obstacles: {create: 0, delete: 0},
  }
  for (const mp of maps) {
    if (mp.action === 'conflict' || mp.action === 'invalid' || mp.action === 'untracked') continue
    s.maps[mp.action]++
    s.observers.create += mp.changes.observers.create.length
    s.observers.update += mp.changes.observers.update.length
    s.observers.delete += mp.changes.observers.delete.length
    s.obstacles.create += mp.changes.obstacles.create.length
    s.obstacles.delete += mp.changes.obstacles.delete.length
  }

  return s
}

function describeUpdate(from: Observer, to: Observer): string {
  const parts: string[] = []
  if (from.x !== to.x || from.y !== to.y) parts.push(`moves ${at(from)} -> ${at(to)}`)
  if (from.vision !== to.vision) parts.push(`vision ${visionText(from.vision)} -> ${visionText(to.vision)}`)
  return `observer "${to.name}" ${parts.join(', ')}`
}

/** Said of a delete the server acknowledged in an earlier run but never carried out. */
export function refutedText(op: Operation): string {
  const what = op.kind === 'deleteObstacle' ? `obstacle ${at(op.position)}` : op.kind === 'deleteObserver' ? `observer "${op.observer.name}"` : op.kind
  return `${what} still present: an earlier delete was acknowledged by the server but not carried out; not sent again (only deleting and recreating the map removes it)`
}

export function visionText(v: number | null): string {
  return v === null ? 'unlimited' : String(v)
}

function at(p: Position): string {
  return `(${p.x},${p.y})`
}

function toObserver(o: Observer): Observer {
  return {name: o.name, x: o.x, y: o.y, vision: o.vision}
}

function compareNames(a: string, b: string): number {
  return compareNatural(a, b)
}
