/**
 * Deciding, per map on the server, what a pull does: leave the local file alone, write
 * a new file (under a fresh safe name), replace the file (--overwrite), or refuse with
 * the reason. Pure: reads and writes nothing.
 */

import type {LoadResult} from '../format/index.js'
import {writeMap} from '../format/index.js'
import type {LocalMap} from '../model/types.js'
import {fileStem, type FileNamer} from './filenames.js'
import type {RemoteItem} from './remote.js'
import {compareNatural} from '../model/order.js'

/** The file that holds a map locally. */
export interface LocalFile {
  file: string
  /** The parsed map; absent when the file is invalid (only its name could be read). */
  map?: LocalMap
  /** How many problems an invalid file has. */
  problems: number
}

export type PlannedMap =
  | {name: string; action: 'present'; file: string; note?: string}
  /** The format cannot hold the map as the server has it, or writing it would break the directory. */
  | {name: string; action: 'skip'; reason: string}
  | {name: string; action: 'fail'; reason: string}
  | {name: string; action: 'create'; stem: string; fileName: string; text: string}
  | {name: string; action: 'replace'; file: string; text: string}

export interface PullSelection {
  only?: readonly string[]
  overwrite: boolean
}

/** The local file of each map name (the first one, when several claim a name). */
export function indexLocal(loaded: LoadResult): Map<string, LocalFile> {
  const index = new Map<string, LocalFile>()
  for (const map of loaded.maps) if (!index.has(map.name)) index.set(map.name, {file: map.file, map, problems: 0})
  for (const f of loaded.invalid) {
    if (f.name !== undefined && !index.has(f.name)) index.set(f.name, {file: f.file, problems: f.diagnostics.length})
  }
  return index
}

/**
 * Whether the pull needs a map's contents: selected, and without a local file, or
 * (with --overwrite) with a valid one. An invalid file is never replaced: it may be
 * one the user is in the middle of editing.
 */
export function wantedBy(local: ReadonlyMap<string, LocalFile>, s: PullSelection): (name: string) => boolean {
  const only = s.only && s.only.length > 0 ? new Set(s.only) : undefined
  return (name) => {
    if (only && !only.has(name)) return false
    const file = local.get(name)
    return file === undefined || (s.overwrite && file.map !== undefined)
  }
}

export interface PullPlanInput extends PullSelection {
  remote: readonly RemoteItem[]
  local: ReadonlyMap<string, LocalFile>
  /** Knows every name in the maps directory; new files get their names from it. */
  namer: FileNamer
}

/** One decision per selected map on the server (and per --only name it lacks), sorted by name. */
export function planPull(input: PullPlanInput): PlannedMap[] {
  const wanted = wantedBy(input.local, input)
  const only = input.only && input.only.length > 0 ? new Set(input.only) : undefined
  const replaced = new Set(input.remote.filter((r) => wanted(r.name) && input.local.has(r.name)).map((r) => r.name))
  const observers = observerOwners(input.local, replaced)

  const planned: PlannedMap[] = []
  for (const item of input.remote) {
    if (only && !only.has(item.name)) continue
    const local = input.local.get(item.name)
    if (!wanted(item.name)) {
      planned.push(local?.map ? {name: item.name, action: 'present', file: local.file} : invalidPresent(item.name, local as LocalFile))
      continue
    }
    planned.push(decide(item, local, observers, input.namer))
  }

  const onServer = new Set(input.remote.map((r) => r.name))
  for (const name of only ?? []) {
    if (!onServer.has(name)) planned.push({name, action: 'fail', reason: 'there is no map with this name on the server'})
  }
  return planned.sort((a, b) => compareNames(a.name, b.name))
}

function decide(item: RemoteItem, local: LocalFile | undefined, observers: ReadonlyMap<string, string>, namer: FileNamer): PlannedMap {
  const {name} = item
  if (item.error !== undefined) return {name, action: 'fail', reason: `it could not be read: ${item.error}`}
  if (item.slug === '') {
    return {name, action: 'skip', reason: 'the server gave it an empty slug (its name has no letter or digit), so it cannot be read'}
  }
  if (!item.map) return {name, action: 'fail', reason: 'the server did not return its contents'}

  const symbols = local?.map ? new Map(local.map.observers.map((o) => [o.name, o.symbol])) : undefined
  const written = writeMap(item.map, symbols ? {symbols} : {})
  if (!written.ok) return {name, action: 'skip', reason: `the map file format cannot express it: ${written.problems.join('; ')}`}

  const clashes = item.map.observers.filter((o) => observers.has(o.name))
  if (clashes.length > 0) {
    const list = clashes.map((o) => `"${o.name}" (in ${observers.get(o.name)})`).join(', ')
    return {name, action: 'skip', reason: `observer names are unique across all maps, and ${list} already appear in another file; writing it would make both files invalid`}
  }

  if (local) return {name, action: 'replace', file: local.file, text: written.text}
  const stem = fileStem(item.slug, item.name)
  return {name, action: 'create', stem, fileName: namer.claim(stem), text: written.text}
}

function invalidPresent(name: string, local: LocalFile): PlannedMap {
  const problems = `${local.problems} ${local.problems === 1 ? 'problem' : 'problems'}`
  return {
    name,
    action: 'present',
    file: local.file,
    note: `the file is invalid (${problems}, see gridsync validate) and is left alone; fix it, or move it out of the directory, to pull this map`,
  }
}

/** Observer name -> the local file that has it, leaving out files about to be replaced. */
function observerOwners(local: ReadonlyMap<string, LocalFile>, replaced: ReadonlySet<string>): Map<string, string> {
  const owners = new Map<string, string>()
  for (const [name, f] of local) {
    if (replaced.has(name)) continue
    for (const o of f.map?.observers ?? []) owners.set(o.name, f.file)
  }
  return owners
}

function compareNames(a: string, b: string): number {
  return compareNatural(a, b)
}
