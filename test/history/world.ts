/**
 * The world of the history test: a sandbox in-process (real clock), a temporary maps
 * directory whose every file the test wrote itself (so it knows each one without
 * parsing it), another client that edits the server through the API, and gridsync run
 * as a user runs it. Every choice comes from one seeded generator, so a seed replays
 * the same history of choices; what the real clock decides may differ from one replay
 * to the next (whether a read falls within the cache's TTL, what a killed run has in
 * flight when it is cut).
 */
import {spawn} from 'node:child_process'
import {mkdtemp, rm, unlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {type Sandbox, type SandboxDefects, type SandboxMapState, startSandbox} from '../../src/sandbox/index.js'
import {BIN, type CliResult, runCli} from '../helpers/cli.js'

/** The server's read cache in worlds that have one; gridsync is told a longer one. */
export const CACHE_TTL_MS = 1500
export const STALE_WINDOW_ARGS = ['--stale-window', '2'] as const
/** Longer than both the cache and gridsync's stale window: after it, every read is fresh and trusted. */
export const EXPIRY_WAIT_MS = 2100
const MAX_MAPS = 4
const MAX_SIDE = 8
const SYMBOLS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'

/** mulberry32: a small seeded generator, the same stream for the same seed. */
export class Random {
  private state: number
  constructor(seed: number) {
    this.state = (seed * 0x9e3779b9) >>> 0 || 1
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from nothing')
    return items[this.int(0, items.length - 1)]!
  }

  /** One of the keys, drawn with the weights given. */
  weighted<K extends string>(weights: Record<K, number>): K {
    const entries = Object.entries(weights) as Array<[K, number]>
    let r = this.next() * entries.reduce((n, [, w]) => n + w, 0)
    for (const [k, w] of entries) {
      r -= w
      if (r < 0) return k
    }
    return entries[entries.length - 1]![0]
  }

  vision(): number | null {
    return this.chance(0.25) ? null : this.int(0, 9)
  }
}

export interface Observer {
  name: string
  x: number
  y: number
  vision: number | null
}

/** A map as a file of the test holds it; obstacles as "x,y" keys. */
export interface FileMap {
  file: string
  name: string
  width: number
  height: number
  observers: Observer[]
  obstacles: Set<string>
}

export const key = (x: number, y: number): string => `${x},${y}`
export const unkey = (k: string): {x: number; y: number} => {
  const [x, y] = k.split(',').map(Number)
  return {x: x!, y: y!}
}

/** A map's content in a form to compare: obstacle rows as a set (duplicates are checked apart). */
export interface Shape {
  name: string
  size: string
  observers: string[]
  obstacles: string[]
}

export function shapeOfFile(m: FileMap): Shape {
  return {
    name: m.name,
    size: `${m.width}x${m.height}`,
    observers: m.observers.map(observerText).sort(),
    obstacles: [...m.obstacles].sort(),
  }
}

export function shapeOfTruth(m: SandboxMapState): Shape {
  return {
    name: m.name,
    size: `${m.width}x${m.height}`,
    observers: m.observers.map(observerText).sort(),
    obstacles: [...new Set(m.obstacles.map((p) => key(p.x, p.y)))].sort(),
  }
}

function observerText(o: Observer): string {
  return `${o.name}@${o.x},${o.y}/${o.vision ?? 'unlimited'}`
}

export function sameShape(a: Shape, b: Shape): boolean {
  return JSON.stringify(a) === JSON.stringify(b)
}

/** The file text of a map, in the format of the maps directory. */
export function fileText(m: FileMap): string {
  const rows = Array.from({length: m.height}, () => Array.from({length: m.width}, () => '.'))
  for (const k of m.obstacles) {
    const {x, y} = unkey(k)
    rows[y]![x] = '#'
  }
  const legend = m.observers.map((o, i) => {
    rows[o.y]![o.x] = SYMBOLS[i]!
    return o.vision === null ? `${SYMBOLS[i]},${o.name}` : `${SYMBOLS[i]},${o.name},${o.vision}`
  })
  return [m.name, ...rows.map((r) => r.join('')), ...legend].join('\n') + '\n'
}

/** Why a server map cannot be a file (observers sharing a tile or on an obstacle, out of bounds...), or undefined. */
export function unwritable(m: SandboxMapState, namesElsewhere: ReadonlySet<string>): string | undefined {
  if (m.observers.length > SYMBOLS.length) return 'too many observers'
  const inside = (p: {x: number; y: number}) => p.x >= 0 && p.y >= 0 && p.x < m.width && p.y < m.height
  const obstacles = new Set(m.obstacles.map((p) => key(p.x, p.y)))
  if (!m.obstacles.every(inside)) return 'an obstacle outside the map'
  const tiles = new Set<string>()
  for (const o of m.observers) {
    if (!inside(o)) return `observer "${o.name}" outside the map`
    if (obstacles.has(key(o.x, o.y)) || tiles.has(key(o.x, o.y))) return `observer "${o.name}" shares a tile`
    if (namesElsewhere.has(o.name)) return `observer "${o.name}" is in another file`
    tiles.add(key(o.x, o.y))
  }
  return undefined
}

/** The maps and objects that differ between two states of the server. */
function changesBetween(before: readonly SandboxMapState[], after: readonly SandboxMapState[]): {maps: Set<string>; objects: Set<string>} {
  const objects = (state: readonly SandboxMapState[]) =>
    new Set(
      state.flatMap((m) => [...m.observers.map((o) => `${m.name}|observer|${o.name}|${o.x},${o.y}/${o.vision}`), ...m.obstacles.map((p) => `${m.name}|obstacle|${key(p.x, p.y)}`)]),
    )
  const b = objects(before)
  const a = objects(after)
  const changed = [...a].filter((k) => !b.has(k)).concat([...b].filter((k) => !a.has(k)))
  const maps = new Set(changed.map((k) => k.split('|')[0]!))
  for (const m of after) {
    const old = before.find((x) => x.name === m.name)
    if (!old || old.width !== m.width || old.height !== m.height) maps.add(m.name)
  }
  // Observers keyed by name alone, obstacles by position.
  return {maps, objects: new Set(changed.map((k) => k.replace(/^(.*\|observer\|.*)\|\d+,\d+\/.*$/, '$1')))}
}

export interface WorldKind {
  stale: boolean
  ignoreDeletes: boolean
}

/** Seeds cycle through the four worlds: 0 plain, 1 stale reads, 2 ignored obstacle deletes, 3 both. */
export function worldKind(seed: number): WorldKind {
  const k = ((seed % 4) + 4) % 4
  return {stale: k === 1 || k === 3, ignoreDeletes: k >= 2}
}

/** An edit the other client made to a map that has a file: it must not be overwritten silently. */
export type ForeignEdit = (
  | {kind: 'observer'; map: string; name: string; x: number; y: number; vision: number | null; step: number; at: number}
  | {kind: 'obstacle-added' | 'obstacle-removed'; map: string; x: number; y: number; step: number; at: number}
) & {
  /** The server's number for the map (Sandbox.mapIds): the edit follows its map when a push renames it. */
  mapId?: number
}

export function describeEdit(e: ForeignEdit): string {
  return e.kind === 'observer'
    ? `the other client moved observer "${e.name}" on "${e.map}" to (${e.x},${e.y}) at step ${e.step}`
    : `the other client ${e.kind === 'obstacle-added' ? 'added' : 'removed'} obstacle (${e.x},${e.y}) on "${e.map}" at step ${e.step}`
}

/**
 * A change the other client made, with what it takes to undo it: in a world with stale
 * reads, a read up to the cache's TTL after it may still show the map without it, and
 * nothing gridsync can do tells the two apart.
 */
export type ForeignChange = {at: number; map: string} & (
  | {kind: 'observer'; name: string; from: {x: number; y: number}; to: {x: number; y: number}}
  | {kind: 'obstacle-added' | 'obstacle-removed'; x: number; y: number}
  | {kind: 'map-created'}
  | {kind: 'map-deleted'; state: SandboxMapState}
)

/** The map as it was before the change (undefined: not on the server). */
export function undoChange(state: SandboxMapState | undefined, c: ForeignChange): SandboxMapState | undefined {
  if (c.kind === 'map-created') return undefined
  if (c.kind === 'map-deleted') return structuredClone(c.state)
  if (!state) return state
  const copy = structuredClone(state)
  if (c.kind === 'observer') {
    const o = copy.observers.find((x) => x.name === c.name && x.x === c.to.x && x.y === c.to.y)
    if (o) Object.assign(o, c.from)
  } else if (c.kind === 'obstacle-added') {
    const i = copy.obstacles.findIndex((p) => p.x === c.x && p.y === c.y)
    if (i >= 0) copy.obstacles.splice(i, 1)
  } else if (!copy.obstacles.some((p) => p.x === c.x && p.y === c.y)) {
    copy.obstacles.push({x: c.x, y: c.y})
  }
  return copy
}

/** Whether the server still holds what the other client's edit made. */
export function editLive(e: ForeignEdit, truth: readonly SandboxMapState[]): boolean {
  const m = truth.find((t) => t.name === e.map)
  if (!m) return false
  if (e.kind === 'observer') return m.observers.some((o) => o.name === e.name && o.x === e.x && o.y === e.y && o.vision === e.vision)
  const has = m.obstacles.some((p) => p.x === e.x && p.y === e.y)
  return e.kind === 'obstacle-added' ? has : !has
}

export interface RunFlags {
  prune?: boolean
  force?: boolean
  rebuild?: boolean
}

export function pushArgs(f: RunFlags): string[] {
  return ['push', '--json', ...(f.prune ? ['--prune', '--yes'] : []), ...(f.force ? ['--force'] : []), ...(f.rebuild ? ['--rebuild'] : [])]
}

/** What a run runs. */
export type Command = 'push' | 'diff' | 'sync'

/** One gridsync run: what it was asked, how it ended, and the server's true state before and after. */
export interface Run<C extends Command = 'push' | 'diff'> {
  command: C
  args: string[]
  flags: RunFlags
  code: number | null
  killed: boolean
  stdout: string
  stderr: string
  before: SandboxMapState[]
  after: SandboxMapState[]
  /** Write requests the server carried out during the run (2xx), by route. */
  succeeded: Record<string, number>
  /** Requests the run sent. */
  requests: number
  /** When it was started (Date.now()). */
  startedAt: number
}

let pushHelp: Promise<string> | undefined
/** Whether this gridsync's push knows a flag (`--rebuild` arrives with the rewrite): asked once per process. */
export async function pushHasFlag(flag: string): Promise<boolean> {
  pushHelp ??= runCli(['push', '--help']).then((r) => r.stdout)
  return (await pushHelp).includes(flag)
}

export class World {
  readonly files = new Map<string, FileMap>()
  readonly steps: string[] = []
  readonly pending: ForeignEdit[] = []

  /** The other client's edits of a map renamed since (by a push of its renamed file) are on it under its new name. */
  followRenames(): void {
    const names = new Map([...this.sandbox.mapIds()].map(([name, id]) => [id, name]))
    for (const e of this.pending) {
      const now = e.mapId === undefined ? undefined : names.get(e.mapId)
      if (now !== undefined) e.map = now
    }
  }
  /** Every change the other client made, in order. */
  readonly foreignChanges: ForeignChange[] = []
  /** What the last gridsync run changed on the server: map names, and `map|observer|name` or `map|obstacle|x,y`. */
  lastWritten = {maps: new Set<string>(), objects: new Set<string>()}
  /** `map|x,y` of obstacles the other client placed that some gridsync run may not have seen (a duplicate there is excused). */
  readonly unseenObstacles = new Set<string>()
  /** When the server was last reset (its cache emptied). */
  lastReset = 0
  foreignOps = 0
  private counter = 0
  private readonly base: SandboxDefects

  private constructor(
    readonly seed: number,
    readonly kind: WorldKind,
    readonly random: Random,
    readonly sandbox: Sandbox,
    readonly dir: string,
  ) {
    this.base = {...sandbox.defects}
  }

  static async start(seed: number): Promise<World> {
    const kind = worldKind(seed)
    const defects: SandboxDefects = {
      ...(kind.stale ? {staleReadsTtlMs: CACHE_TTL_MS} : {}),
      ...(kind.ignoreDeletes ? {ignoreObstacleDeletes: true} : {}),
    }
    // No seed: reset() then leaves an empty server, with these defects.
    const sandbox = await startSandbox({defects})
    const dir = await mkdtemp(path.join(tmpdir(), 'gridsync-history-'))
    return new World(seed, kind, new Random(seed), sandbox, dir)
  }

  async close(): Promise<void> {
    await this.sandbox.close()
    await rm(this.dir, {recursive: true, force: true})
  }

  truth(): SandboxMapState[] {
    return this.sandbox.snapshot()
  }

  fileByName(name: string): FileMap | undefined {
    return [...this.files.values()].find((m) => m.name === name)
  }

  /** Forgets the other client's edits the server no longer holds (overwritten with --force, reset, map deleted). */
  dropDeadEdits(): void {
    const truth = this.truth()
    for (let i = this.pending.length - 1; i >= 0; i--) if (!editLive(this.pending[i]!, truth)) this.pending.splice(i, 1)
  }

  note(line: string): void {
    this.steps.push(`#${this.steps.length + 1} ${line}`)
  }

  private fresh(prefix: string): string {
    return `${prefix} ${this.seed}-${++this.counter}`
  }

  // ---- local edits: every file stays valid, observer names unique across files ----

  async save(m: FileMap): Promise<void> {
    this.files.set(m.file, m)
    await writeFile(path.join(this.dir, m.file), fileText(m))
  }

  async deleteFile(m: FileMap): Promise<void> {
    this.files.delete(m.file)
    await unlink(path.join(this.dir, m.file))
  }

  private freeTiles(m: FileMap): Array<{x: number; y: number}> {
    const used = new Set([...m.obstacles, ...m.observers.map((o) => key(o.x, o.y))])
    const out: Array<{x: number; y: number}> = []
    for (let y = 0; y < m.height; y++) for (let x = 0; x < m.width; x++) if (!used.has(key(x, y))) out.push({x, y})
    return out
  }

  newMap(): FileMap {
    const r = this.random
    const n = ++this.counter
    const m: FileMap = {file: `m${n}.map`, name: `Map ${this.seed}-${n}`, width: r.int(2, MAX_SIDE), height: r.int(2, 6), observers: [], obstacles: new Set()}
    for (let i = r.int(0, 4); i > 0; i--) {
      const free = this.freeTiles(m)
      if (free.length > 1) {
        const p = r.pick(free)
        m.obstacles.add(key(p.x, p.y))
      }
    }
    for (let i = r.int(0, 2); i > 0; i--) {
      const free = this.freeTiles(m)
      if (free.length > 0) m.observers.push({name: this.fresh('Obs'), ...r.pick(free), vision: r.vision()})
    }
    return m
  }

  /** One random edit of the files; returns what it did. */
  async localEdit(): Promise<string> {
    const r = this.random
    const maps = [...this.files.values()]
    const kind =
      maps.length === 0
        ? 'new map'
        : r.weighted({
            'move observer': 4,
            'observer to another map': maps.length > 1 ? 1 : 0,
            'add observer': 2,
            'remove observer': 1.5,
            'change vision': 1,
            'add obstacle': 3,
            'remove obstacle': 2.5,
            resize: 1,
            'new map': maps.length < MAX_MAPS ? 1 : 0,
            'delete map file': maps.length > 1 ? 0.5 : 0,
            'rename map': 0.7,
          })
    if (kind === 'new map') {
      const m = this.newMap()
      await this.save(m)
      return `local: new file ${m.file} for "${m.name}" ${m.width}x${m.height}, ${m.observers.length} observers, ${m.obstacles.size} obstacles`
    }

    const m = r.pick(maps)
    const free = this.freeTiles(m)
    const withObservers = maps.filter((x) => x.observers.length > 0)
    switch (kind) {
      case 'move observer': {
        if (m.observers.length === 0 || free.length === 0) return this.localEdit()
        const o = r.pick(m.observers)
        const p = r.pick(free)
        o.x = p.x
        o.y = p.y
        await this.save(m)
        return `local: move observer "${o.name}" on "${m.name}" to (${p.x},${p.y})`
      }
      case 'observer to another map': {
        if (withObservers.length === 0) return this.localEdit()
        const from = r.pick(withObservers)
        const to = r.pick(maps.filter((x) => x !== from))
        const toFree = this.freeTiles(to)
        if (toFree.length === 0) return this.localEdit()
        const o = r.pick(from.observers)
        from.observers.splice(from.observers.indexOf(o), 1)
        const p = r.pick(toFree)
        to.observers.push({...o, ...p})
        await this.save(from)
        await this.save(to)
        return `local: observer "${o.name}" leaves "${from.name}" for "${to.name}" at (${p.x},${p.y})`
      }
      case 'add observer': {
        if (free.length === 0) return this.localEdit()
        const o = {name: this.fresh('Obs'), ...r.pick(free), vision: r.vision()}
        m.observers.push(o)
        await this.save(m)
        return `local: add observer "${o.name}" on "${m.name}" at (${o.x},${o.y})`
      }
      case 'remove observer': {
        if (m.observers.length === 0) return this.localEdit()
        const o = r.pick(m.observers)
        m.observers.splice(m.observers.indexOf(o), 1)
        await this.save(m)
        return `local: remove observer "${o.name}" from "${m.name}"`
      }
      case 'change vision': {
        if (m.observers.length === 0) return this.localEdit()
        const o = r.pick(m.observers)
        o.vision = o.vision === null ? r.int(0, 9) : r.chance(0.3) ? null : (o.vision + r.int(1, 5)) % 10
        await this.save(m)
        return `local: observer "${o.name}" on "${m.name}" gets vision ${o.vision ?? 'unlimited'}`
      }
      case 'add obstacle': {
        if (free.length === 0) return this.localEdit()
        const p = r.pick(free)
        m.obstacles.add(key(p.x, p.y))
        await this.save(m)
        return `local: add obstacle (${p.x},${p.y}) on "${m.name}"`
      }
      case 'remove obstacle': {
        if (m.obstacles.size === 0) return this.localEdit()
        const k = r.pick([...m.obstacles])
        m.obstacles.delete(k)
        await this.save(m)
        return `local: remove obstacle (${k}) from "${m.name}"`
      }
      case 'resize': {
        const width = r.int(1, MAX_SIDE)
        const height = r.int(1, 6)
        const from = `${m.width}x${m.height}`
        m.width = width
        m.height = height
        for (const k of [...m.obstacles]) {
          const p = unkey(k)
          if (p.x >= width || p.y >= height) m.obstacles.delete(k)
        }
        // Observers outside the new bounds move to a free tile inside, or leave the map.
        const outside = m.observers.filter((o) => o.x >= width || o.y >= height)
        m.observers = m.observers.filter((o) => !outside.includes(o))
        for (const o of outside) {
          const tiles = this.freeTiles(m)
          if (tiles.length > 0) m.observers.push({...o, ...r.pick(tiles)})
        }
        await this.save(m)
        return `local: resize "${m.name}" ${from} -> ${width}x${height}`
      }
      case 'delete map file': {
        await this.deleteFile(m)
        return `local: delete ${m.file} ("${m.name}")`
      }
      case 'rename map': {
        const from = m.name
        m.name = this.fresh('Map')
        await this.save(m)
        return `local: rename "${from}" to "${m.name}" in ${m.file}`
      }
    }
    throw new Error(`unknown edit ${kind as string}`)
  }

  /** Replaces a map's file by the server's true state of it (the user takes the server's side). */
  async takeServerMap(m: FileMap, truth: SandboxMapState): Promise<void> {
    const taken: FileMap = {
      file: m.file,
      name: truth.name,
      width: truth.width,
      height: truth.height,
      observers: truth.observers.map((o) => ({name: o.name, x: o.x, y: o.y, vision: o.vision})),
      obstacles: new Set(truth.obstacles.map((p) => key(p.x, p.y))),
    }
    await this.save(taken)
    // The file holds the other client's edits of this map now: they are no longer someone else's.
    for (let i = this.pending.length - 1; i >= 0; i--) if (this.pending[i]!.map === truth.name) this.pending.splice(i, 1)
  }

  observerNamesOutside(file: string): Set<string> {
    return new Set([...this.files.values()].filter((m) => m.file !== file).flatMap((m) => m.observers.map((o) => o.name)))
  }

  // ---- the other client: writes through the API, never a duplicate obstacle ----

  private async api(method: string, urlPath: string, body?: unknown): Promise<number> {
    this.foreignOps++
    const res = await fetch(this.sandbox.url + urlPath, {
      method,
      headers: body === undefined ? {} : {'content-type': 'application/json'},
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    await res.arrayBuffer()
    return res.status
  }

  /** One random edit by the other client; returns what it did. */
  async foreignEdit(step: number): Promise<string> {
    const r = this.random
    const truth = this.truth()
    const withFile = truth.filter((m) => this.fileByName(m.name))
    const kind = r.weighted({
      'move observer': truth.some((m) => m.observers.length > 0) ? 3 : 0,
      'add obstacle': truth.length > 0 ? 3 : 0,
      'remove obstacle': truth.some((m) => m.obstacles.length > 0) ? 2 : 0,
      'create map': 1,
      'delete map': truth.length > 0 ? 0.7 : 0,
    })
    // Mostly maps that have a file, where an edit can be lost; often what gridsync's last
    // run just wrote, as when two people work on the same map.
    const target = (list: SandboxMapState[]): SandboxMapState => {
      const written = list.filter((m) => this.lastWritten.maps.has(m.name))
      if (written.length > 0 && r.chance(0.6)) return r.pick(written)
      const preferred = list.filter((m) => withFile.includes(m))
      return r.pick(preferred.length > 0 && r.chance(0.85) ? preferred : list)
    }
    const prefer = <T>(items: T[], written: (item: T) => boolean): T => {
      const w = items.filter(written)
      return r.pick(w.length > 0 && r.chance(0.7) ? w : items)
    }
    const freeTiles = (m: SandboxMapState) => {
      const used = new Set([...m.obstacles, ...m.observers].map((p) => key(p.x, p.y)))
      const out: Array<{x: number; y: number}> = []
      for (let y = 0; y < m.height; y++) for (let x = 0; x < m.width; x++) if (!used.has(key(x, y))) out.push({x, y})
      return out
    }
    const changed = (c: ForeignChange) => this.foreignChanges.push(c)
    const record = (e: ForeignEdit) => {
      if (!this.fileByName(e.map)) return
      e.mapId = this.sandbox.mapIds().get(e.map)
      const same = (p: ForeignEdit) => p.map === e.map && (e.kind === 'observer' ? p.kind === 'observer' && p.name === e.name : p.kind !== 'observer' && p.x === e.x && p.y === e.y)
      const old = this.pending.findIndex(same)
      if (old >= 0) this.pending.splice(old, 1)
      this.pending.push(e)
    }

    switch (kind) {
      case 'move observer': {
        const m = target(truth.filter((t) => t.observers.length > 0))
        const free = freeTiles(m)
        if (free.length === 0) return 'other client: nothing to do (no free tile)'
        const o = prefer(m.observers, (x) => this.lastWritten.objects.has(`${m.name}|observer|${x.name}`))
        const p = r.pick(free)
        const status = await this.api('PUT', `/api/maps/${m.slug}/observers/${o.slug}/`, {name: o.name, x: p.x, y: p.y, ...(o.vision === null ? {} : {vision: o.vision})})
        const at = Date.now()
        if (status === 204) {
          changed({at, map: m.name, kind: 'observer', name: o.name, from: {x: o.x, y: o.y}, to: p})
          record({kind: 'observer', map: m.name, name: o.name, x: p.x, y: p.y, vision: o.vision, step, at})
        }
        return `other client: move observer "${o.name}" on "${m.name}" to (${p.x},${p.y}): ${status}`
      }
      case 'add obstacle': {
        const m = target(truth)
        const free = freeTiles(m)
        if (free.length === 0) return 'other client: nothing to do (no free tile)'
        const p = r.pick(free)
        const status = await this.api('POST', `/api/maps/${m.slug}/obstacles/`, p)
        const at = Date.now()
        if (status === 201) {
          changed({at, map: m.name, kind: 'obstacle-added', ...p})
          record({kind: 'obstacle-added', map: m.name, ...p, step, at})
        }
        return `other client: add obstacle (${p.x},${p.y}) on "${m.name}": ${status}`
      }
      case 'remove obstacle': {
        const m = target(truth.filter((t) => t.obstacles.length > 0))
        const p = prefer(m.obstacles, (q) => this.lastWritten.objects.has(`${m.name}|obstacle|${key(q.x, q.y)}`))
        const status = await this.api('DELETE', `/api/maps/${m.slug}/obstacles/${p.x}/${p.y}/`)
        // Only an obstacle that is really gone is an edit (the server may ignore the delete).
        const gone = !this.truth().some((t) => t.name === m.name && t.obstacles.some((q) => q.x === p.x && q.y === p.y))
        const at = Date.now()
        if (gone) {
          changed({at, map: m.name, kind: 'obstacle-removed', x: p.x, y: p.y})
          record({kind: 'obstacle-removed', map: m.name, x: p.x, y: p.y, step, at})
        }
        return `other client: remove obstacle (${p.x},${p.y}) from "${m.name}": ${status}${gone ? '' : ', ignored by the server'}`
      }
      case 'create map': {
        const name = this.fresh('Guest map')
        const width = r.int(2, 6)
        const height = r.int(2, 5)
        const status = await this.api('POST', '/api/maps/', {name, width, height})
        const created = this.truth().find((t) => t.name === name)
        if (created) {
          await this.api('POST', `/api/maps/${created.slug}/observers/`, {name: this.fresh('Guest'), x: 0, y: 0})
          await this.api('POST', `/api/maps/${created.slug}/obstacles/`, {x: width - 1, y: height - 1})
          changed({at: Date.now(), map: name, kind: 'map-created'})
        }
        return `other client: create map "${name}" ${width}x${height}: ${status}`
      }
      case 'delete map': {
        const m = r.pick(truth)
        const status = await this.api('DELETE', `/api/maps/${m.slug}/`)
        if (status === 204) changed({at: Date.now(), map: m.name, kind: 'map-deleted', state: m})
        return `other client: delete map "${m.name}"${this.fileByName(m.name) ? ' (it has a file)' : ''}: ${status}`
      }
    }
    throw new Error(`unknown foreign edit ${kind as string}`)
  }

  // ---- gridsync runs ----

  private cliArgs(args: readonly string[]): string[] {
    return [...args, ...STALE_WINDOW_ARGS, '--server', this.sandbox.url, '--maps-dir', this.dir]
  }

  async run<C extends Command>(command: C, args: string[], flags: RunFlags = {}): Promise<Run<C>> {
    const before = this.truth()
    this.sandbox.resetStats()
    const startedAt = Date.now()
    const result: CliResult = await runCli(this.cliArgs(args))
    await this.sandbox.idle()
    return this.finish(command, args, flags, before, startedAt, {...result, killed: false})
  }

  /**
   * A push killed with SIGKILL as the server sees its `killAt`th request (reads
   * included), the server slowed down so that several requests are in flight then.
   * A run that needs fewer requests ends on its own and is judged like any other.
   * `command` names what `args` run (a sync is killed the same way).
   */
  async killedPush<C extends 'push' | 'sync' = 'push'>(args: string[], flags: RunFlags, killAt: number, command: C = 'push' as C): Promise<Run<C>> {
    const before = this.truth()
    this.sandbox.resetStats()
    let seen = 0
    let kill: (() => void) | undefined
    this.sandbox.defects = {
      ...this.base,
      latencyMs: 30,
      // Consulted once per request: used here only to count them, it never fires.
      outage: () => {
        if (++seen === killAt) kill?.()
        return false
      },
    }
    const startedAt = Date.now()
    try {
      const result = await new Promise<CliResult & {killed: boolean}>((resolve, reject) => {
        const child = spawn(process.execPath, [BIN, ...this.cliArgs(args)], {env: {...process.env, NO_COLOR: '1'}, stdio: ['ignore', 'pipe', 'pipe']})
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
        kill = () => child.kill('SIGKILL')
        child.on('error', reject)
        child.on('close', (code, signal) => resolve({code: code ?? -1, stdout, stderr, killed: signal === 'SIGKILL'}))
      })
      await this.sandbox.idle()
      return this.finish(command, args, flags, before, startedAt, result)
    } finally {
      this.sandbox.defects = {...this.base}
    }
  }

  private finish<C extends Command>(command: C, args: string[], flags: RunFlags, before: SandboxMapState[], startedAt: number, result: CliResult & {killed: boolean}): Run<C> {
    const after = this.truth()
    if (command !== 'diff') this.lastWritten = changesBetween(before, after)
    return {
      command,
      args,
      flags,
      code: result.killed ? null : result.code,
      killed: result.killed,
      stdout: result.stdout,
      stderr: result.stderr,
      before,
      after,
      succeeded: {...this.sandbox.stats.succeeded},
      requests: this.sandbox.stats.total,
      startedAt,
    }
  }

  /** Waits out the server's cache and gridsync's stale window, in real time (gridsync measures real time). */
  async expire(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, EXPIRY_WAIT_MS))
  }

  /** Wipes the server's data and cache; the defects stay. */
  reset(): void {
    this.sandbox.reset()
    this.lastReset = Date.now()
  }

  /**
   * The other client's changes a run started at `startedAt` may not see: made less than
   * the cache's TTL before it (a read then may be served from an entry filled before
   * them) and after the last reset (which emptied the cache). None without stale reads.
   */
  hiddenChanges(startedAt: number): ForeignChange[] {
    if (!this.kind.stale) return []
    return this.foreignChanges.filter((c) => c.at > startedAt - CACHE_TTL_MS && c.at > this.lastReset)
  }
}
