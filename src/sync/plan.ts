import {PositionSet} from '../model/positions.js'
import {type LocalMap, type Observer, type Position, positionKey} from '../model/types.js'
import {type Knowledge, type MapKnowledge, unlisted} from './knowledge.js'
import {diffMaps, type ObjectChange, objectChanges, visionText} from './map-diff.js'
import {emptyChanges, hasChanges, type MapChanges, type MapPlan, type Operation, type Plan, type PlanSummary} from './plan-types.js'
import {compareNatural} from '../model/order.js'
import {clock} from './clock.js'

export {visionText} from './map-diff.js'

export interface PlanInput {
  server: string
  local: LocalMap[]
  /** Local files that failed to parse; `name` when the first line could still be read. */
  invalid: ReadonlyArray<{file: string; name?: string; problems: string[]}>
  /** What gridsync knows about the server's maps. */
  knowledge: Knowledge
  /** Delete maps that exist only on the server. */
  prune: boolean
  /** Limit the plan to these map names. */
  only?: readonly string[]
  /** Overwrite maps someone else changed on the server since gridsync last wrote them. */
  force?: boolean
  /** Delete and recreate maps whose obstacle or observer deletes the server refuses. */
  rebuild?: boolean
  /** Files whose map name changed since gridsync last pushed them: new name -> old name (see renames.ts). */
  renames?: ReadonlyMap<string, string>
  /** Prune even with no map files: each delete was decided from evidence of its own (a two-way sync's base). */
  pruneDecided?: boolean
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
  const known = input.knowledge.maps

  const localByName = new Map(input.local.map((m) => [m.name, m]))
  const invalidNames = new Set(input.invalid.flatMap((f) => (f.name === undefined ? [] : [f.name])))

  let prune = input.prune
  if (prune && !input.pruneDecided && input.local.length === 0 && input.invalid.length === 0) {
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
    const k = file.name === undefined ? undefined : known.get(file.name)
    maps.push({
      name,
      action: 'invalid',
      file: file.file,
      url: k?.url,
      evidence: k?.evidence,
      changes: emptyChanges(),
      notes: [`${file.file} is invalid, so this map is left alone on the server`, ...file.problems],
    })
  }

  const opts = {force: input.force ?? false, rebuild: input.rebuild ?? false}
  // Old names of the maps renamed here: they are not kept or pruned, they are the renamed maps.
  const renamedAway = new Set<string>()
  for (const local of input.local) {
    if (!selected(local.name)) continue
    const k = known.get(local.name) ?? unlisted(local.name, input.knowledge.listedAt)
    const from = input.renames?.get(local.name)
    const old = from === undefined ? undefined : known.get(from)
    if (!k.state && old?.state && old.url && k.evidence.until === undefined) {
      renamedAway.add(old.name)
      maps.push(planRename(local, old, opts))
    } else maps.push(k.state ? planExisting(local, k, opts) : planCreate(local, k))
  }

  for (const k of known.values()) {
    const name = k.name
    if (localByName.has(name) || invalidNames.has(name) || renamedAway.has(name) || !selected(name)) continue
    // Known to be absent, or not listed and not found: nothing on the server to keep or prune.
    if (!k.state && !k.summary) continue
    if (k.evidence.kind === 'gone') continue
    maps.push({
      name,
      action: prune ? 'delete' : 'untracked',
      url: k.url,
      remote: k.state,
      evidence: k.evidence,
      changes: emptyChanges(),
      notes: prune ? [] : ['only on the server; kept (use --prune to delete it)'],
    })
  }

  maps.sort((a, b) => compareNames(a.name, b.name))
  return {server: input.server, maps, operations: operationsFor(maps), summary: summarize(maps), warnings}
}

function planCreate(local: LocalMap, k: MapKnowledge): MapPlan {
  const changes = emptyChanges()
  changes.observers.create = local.observers.map(toObserver)
  changes.obstacles.create = [...local.obstacles]
  const notes: string[] = []
  if (k.evidence.kind === 'gone') {
    notes.push(
      k.evidence.listed
        ? "the server's listing still shows it, but its URL answers 404: it is gone (the listing is a cached answer); created again from the file"
        : 'its URL answers 404: the server no longer has it; created again from the file',
    )
  } else if (k.evidence.until !== undefined) {
    notes.push(
      `an earlier create of it was sent but its answer was lost, and the server's listing, which may be a cached answer until ${clock(k.evidence.until)}, does not show it: ` +
        'whether the map exists is not known; the create is sent again, which cannot make a second map (the server refuses a name it holds with 409)',
    )
  } else if (k.evidence.wroteAt !== undefined) {
    notes.push("the server's listing does not show it and no URL of it answers: created again from the file")
  }

  return {name: local.name, action: 'create', file: local.file, local, evidence: k.evidence, changes, notes}
}

/**
 * A file whose map name changed since gridsync last pushed it: the server's map under the
 * old name is renamed (one PUT, after everything else on it: the API gives the renamed map
 * no URL, and its old one answers 404 from then on) and updated to match like any other.
 */
function planRename(local: LocalMap, old: MapKnowledge, opts: {force: boolean; rebuild: boolean}): MapPlan {
  const mp = planExisting(local, old, {...opts, rebuild: false})
  if (mp.action === 'conflict') return {...mp, renamedFrom: old.name}
  const note = `renamed from "${old.name}" (the name its file had when gridsync last pushed it): the server's map keeps its observers and obstacles`
  return {...mp, action: 'rename', renamedFrom: old.name, notes: [note, ...mp.notes]}
}

function planExisting(local: LocalMap, k: MapKnowledge, opts: {force: boolean; rebuild: boolean}): MapPlan {
  const remote = k.state!
  const d = diffMaps(remote, local)
  const changes: MapChanges = emptyChanges()
  changes.observers.create = d.observers.new.map(toObserver)
  changes.observers.update = d.observers.changed.map(({from, to}) => ({from, to: toObserver(to)}))

  // A delete the server acknowledged before but never carried out is not sent again;
  // it is reported for as long as the file wants the object gone.
  const inFile = PositionSet.of(local.obstacles)
  const fileObservers = new Set(local.observers.map((o) => o.name))
  const refuted = k.refuted.filter((op) => (op.kind === 'deleteObstacle' ? !inFile.has(op.position) : op.kind === 'deleteObserver' ? !fileObservers.has(op.observer.name) : false))
  const refutedKeys = new Set(refuted.map((op) => (op.kind === 'deleteObstacle' ? `o:${positionKey(op.position)}` : op.kind === 'deleteObserver' ? `n:${op.observer.name}` : '')))
  changes.observers.delete = d.observers.gone.filter((o) => !refutedKeys.has(`n:${o.name}`))
  // Remote obstacles may be repeated: one row or several, it is one obstacle, never
  // created again; but removing it takes a delete for each row.
  // An answer that cannot be trusted yet may still show an obstacle that is there: never risk doubling it.
  const shown = k.unproven ? PositionSet.of(k.unproven.obstacles) : undefined
  changes.obstacles.create = shown ? d.obstacles.new.filter((p) => !shown.has(p)) : d.obstacles.new
  changes.obstacles.delete = d.obstacles.gone.map((p) => ({x: p.x, y: p.y})).filter((p) => !refutedKeys.has(`o:${positionKey(p)}`))

  const resized = d.size !== undefined
  const changed = resized || hasChanges(changes)
  // Someone else's change that the file agrees with (both made the same edit) is no conflict: nothing of it is overwritten.
  const differing = new Set(objectChanges(d).map((c) => c.key))
  const conflicts = k.conflicts.filter((c) => differing.has(c.key))
  const conflict = (changed || (opts.rebuild && refuted.length > 0)) && conflicts.length > 0
  const base = {name: local.name, file: local.file, url: k.url, local, remote, evidence: k.evidence}
  const notes: string[] = []
  if (conflict) {
    const what = conflicts.map((c) => conflictText(c)).join('; ')
    if (!opts.force) {
      const note = `changed on the server since gridsync last knew it, by someone else, so it is left alone (--force overwrites it): ${what}`
      return {...base, action: 'conflict', changes: emptyChanges(), conflicts, notes: [note]}
    }

    notes.push(`changed on the server since gridsync last knew it, by someone else; overwritten (--force): ${what}`)
  }

  if (k.lost > 0) notes.push(`${k.lost} earlier write${k.lost === 1 ? '' : 's'} whose answer was lost did not happen (a read shows it): planned again`)
  if (opts.rebuild && refuted.length > 0) {
    const full = emptyChanges()
    full.observers.create = local.observers.map(toObserver)
    full.obstacles.create = [...local.obstacles]
    notes.push(`the server refuses ${refuted.length === 1 ? 'a delete' : `${refuted.length} deletes`} on it: deleted and created again from the file (--rebuild)`)
    return {...base, action: 'rebuild', changes: full, refuted, notes}
  }

  return {
    ...base,
    action: changed ? 'update' : 'unchanged',
    resize: resized ? {from: d.size!.from, to: d.size!.to} : undefined,
    changes,
    refuted: refuted.length > 0 ? refuted : undefined,
    notes,
  }
}

/** Someone else's change, from the state gridsync last knew to the server's. */
export function conflictText(c: ObjectChange): string {
  return `${c.what}: ${c.a ?? 'absent'} -> ${c.b ?? 'absent'}`
}

type NewOperation = Operation extends infer O ? (O extends Operation ? Omit<O, 'id'> : never) : never

/** Turns the per-map changes into ordered operations with their dependencies. */
function operationsFor(maps: MapPlan[]): Operation[] {
  const ops: Operation[] = []
  const add = (op: NewOperation): number => {
    const id = ops.length
    ops.push({...op, id})
    return id
  }

  // Phase 1: observer deletes everywhere, and pruned maps (which takes their observers along).
  const deletedObserver = new Map<string, number>()
  const deletedMap = new Map<string, number>()
  maps = maps.filter((mp) => mp.action !== 'conflict')
  for (const mp of maps) {
    for (const o of mp.changes.observers.delete) {
      const id = add({kind: 'deleteObserver', map: mp.name, phase: 1, dependsOn: [], observer: o, reason: `observer "${o.name}" is not in the file`})
      deletedObserver.set(o.name, id)
    }

    if (mp.action === 'delete') {
      const id = add({kind: 'deleteMap', map: mp.name, phase: 1, dependsOn: [], reason: 'map has no file (--prune)'})
      // Its observers go with it: one that moves to a map in the files may join it once this delete is done.
      for (const o of mp.remote?.observers ?? []) if (!deletedObserver.has(o.name)) deletedObserver.set(o.name, id)
    }
    if (mp.action === 'rebuild') {
      const id = add({kind: 'deleteMap', map: mp.name, phase: 1, dependsOn: [], reason: 'the server refuses deletes on this map: deleted to be created again (--rebuild)'})
      deletedMap.set(mp.name, id)
      // Its observers go with it: one moving to another map may join that one once this delete is done.
      for (const o of mp.remote?.observers ?? []) if (!deletedObserver.has(o.name)) deletedObserver.set(o.name, id)
    }
  }

  // Phase 2: maps created or resized before anything is placed on them.
  const mapOp = new Map<string, number>()
  for (const mp of maps) {
    const local = mp.local
    if (!local) continue
    const body = {name: local.name, width: local.width, height: local.height}
    if (mp.action === 'create') {
      mapOp.set(mp.name, add({kind: 'createMap', map: mp.name, phase: 2, dependsOn: [], body, reason: 'map is only in the files'}))
    } else if (mp.action === 'rebuild') {
      const deleted = deletedMap.get(mp.name)!
      mapOp.set(mp.name, add({kind: 'createMap', map: mp.name, phase: 2, dependsOn: [deleted], body, reason: 'map is created again from its file (--rebuild)'}))
    } else if (mp.resize) {
      const {from, to} = mp.resize
      const reason = `size ${from.width}x${from.height} -> ${to.width}x${to.height}`
      // A map to rename keeps its old name until the rename, its last operation.
      const sized = mp.action === 'rename' && mp.remote ? {...body, name: mp.remote.name} : body
      mapOp.set(mp.name, add({kind: 'updateMap', map: mp.name, phase: 2, dependsOn: [], body: sized, from, reason}))
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
      const fromHere = moved !== undefined && ops[moved]!.map === mp.name
      const dependsOn = moved === undefined || fromHere ? base : [...base, moved]
      const reason =
        mp.action === 'rebuild'
          ? `observer "${o.name}" is created again`
          : moved === undefined
            ? `observer "${o.name}" is only in the file`
            : `observer "${o.name}" moves here from map "${ops[moved]!.map}"`
      add({kind: 'createObserver', map: mp.name, phase: 3, dependsOn, observer: o, reason})
    }

    const placed = mp.action === 'rebuild' ? 'is created again' : 'is only in the file'
    for (const position of c.obstacles.create) {
      add({kind: 'createObstacle', map: mp.name, phase: 3, dependsOn: base, position, reason: `obstacle ${at(position)} ${placed}`})
    }

    if (mp.action === 'rename' && mp.local && mp.remote) {
      // Last: every operation before it reaches the map at its old URL.
      const before = ops.filter((op) => op.map === mp.name).map((op) => op.id)
      const body = {name: mp.local.name, width: mp.local.width, height: mp.local.height}
      const from = {width: mp.local.width, height: mp.local.height}
      add({kind: 'updateMap', map: mp.name, phase: 3, dependsOn: before, body, from, renamedFrom: mp.renamedFrom, reason: `name "${mp.renamedFrom}" -> "${mp.name}"`})
    }
  }

  return ops
}

function summarize(maps: MapPlan[]): PlanSummary {
  const s: PlanSummary = {
    maps: {create: 0, update: 0, delete: 0, unchanged: 0, rebuild: 0, rename: 0},
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

function at(p: Position): string {
  return `(${p.x},${p.y})`
}

function toObserver(o: Observer): Observer {
  return {name: o.name, x: o.x, y: o.y, vision: o.vision}
}

function compareNames(a: string, b: string): number {
  return compareNatural(a, b)
}
