/**
 * What the sync history test adds to the history test's world: the files as they are on
 * disk (a sync writes, creates and deletes them), every map as its objects in the words
 * of `sync --json` (`size`, `observer:<name>`, `obstacle:<x>,<y>`, and `map` for the map
 * itself), and the edits each side made that a sync must not lose.
 */
import {readdir, readFile} from 'node:fs/promises'
import path from 'node:path'

import {parseMap} from '../../src/format/parse.js'
import type {SandboxMapState} from '../../src/sandbox/index.js'
import {type FileMap, key, type World} from '../history/world.js'

/** The map itself: present or absent. */
export const MAP_KEY = 'map'

/** A map's objects, key -> value, in the words of `sync --json` (`WxH`, `at (x,y), vision v`, `present`). */
export type Objects = Map<string, string>
/** Every map of one side, by name. */
export type SideState = Map<string, Objects>

function observerValue(o: {x: number; y: number; vision: number | null}): string {
  return `at (${o.x},${o.y}), vision ${o.vision === null ? 'unlimited' : o.vision}`
}

export function objectsOfFile(m: FileMap): Objects {
  const out: Objects = new Map([
    [MAP_KEY, 'present'],
    ['size', `${m.width}x${m.height}`],
  ])
  for (const o of m.observers) out.set(`observer:${o.name}`, observerValue(o))
  for (const k of m.obstacles) out.set(`obstacle:${k}`, 'present')
  return out
}

export function objectsOfTruth(m: SandboxMapState): Objects {
  const out: Objects = new Map([
    [MAP_KEY, 'present'],
    ['size', `${m.width}x${m.height}`],
  ])
  for (const o of m.observers) out.set(`observer:${o.name}`, observerValue(o))
  for (const p of m.obstacles) out.set(`obstacle:${key(p.x, p.y)}`, 'present')
  return out
}

export function filesState(world: World): SideState {
  return new Map([...world.files.values()].map((m) => [m.name, objectsOfFile(m)]))
}

export function truthState(truth: readonly SandboxMapState[]): SideState {
  return new Map(truth.map((m) => [m.name, objectsOfTruth(m)]))
}

export function valueIn(state: SideState, map: string, objectKey: string): string | null {
  return state.get(map)?.get(objectKey) ?? null
}

/** An object one side changed: the value that must survive until both sides hold it (null: deleted). */
export interface Edit {
  side: 'file' | 'server'
  map: string
  key: string
  value: string | null
  /** Date.now() when it was made. */
  at: number
  step: number
  /** The server's number for the map (see Sandbox.mapIds): an edit of the other client follows its map through renames. */
  mapId?: number
  /** The map's name when the edit was made, if it was renamed since. */
  madeOn?: string
}

export function describe(e: Edit): string {
  return `${e.side === 'file' ? 'local' : "the other client's"} edit at step ${e.step}: ${e.key} of "${e.map}" ${e.value === null ? 'gone' : `= ${e.value}`}`
}

/** The objects that differ between two states of one side, as edits of that side. */
export function editsBetween(side: Edit['side'], before: SideState, after: SideState, step: number): Edit[] {
  const at = Date.now()
  const out: Edit[] = []
  for (const map of new Set([...before.keys(), ...after.keys()])) {
    const b = before.get(map) ?? new Map<string, string>()
    const a = after.get(map) ?? new Map<string, string>()
    for (const k of new Set([...b.keys(), ...a.keys()])) {
      const value = a.get(k) ?? null
      if ((b.get(k) ?? null) !== value) out.push({side, map, key: k, value, at, step})
    }
  }
  return out
}

/**
 * Reads the maps directory as it is (hidden files and other extensions aside) into the
 * world's files, replacing what the world knew. Returns each file's bytes, and the files
 * that do not parse (a sync must never write one).
 */
export async function rescan(world: World): Promise<{bytes: Map<string, string>; invalid: string[]}> {
  const bytes = new Map<string, string>()
  const invalid: string[] = []
  world.files.clear()
  for (const name of (await readdir(world.dir)).sort()) {
    if (name.startsWith('.') || !/\.(map|txt)$/.test(name)) continue
    const text = await readFile(path.join(world.dir, name), 'utf8')
    bytes.set(name, text)
    const parsed = parseMap(text, name)
    if (!parsed.ok) {
      invalid.push(`${name}: ${parsed.diagnostics.map((d) => d.message).join('; ')}`)
      continue
    }
    const m = parsed.map
    world.files.set(name, {
      file: name,
      name: m.name,
      width: m.width,
      height: m.height,
      observers: m.observers.map((o) => ({name: o.name, x: o.x, y: o.y, vision: o.vision})),
      obstacles: new Set(m.obstacles.map((p) => key(p.x, p.y))),
    })
  }
  return {bytes, invalid}
}

/** The files' bytes, to tell whether a run wrote any. */
export async function fileBytes(world: World): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for (const name of (await readdir(world.dir)).sort()) {
    if (name.startsWith('.')) continue
    out.set(name, await readFile(path.join(world.dir, name), 'utf8'))
  }
  return out
}

export function sameBytes(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v)
}
