/**
 * The benchmark's workloads, generated from fixed seeds so every run measures the same
 * thing: maps the server holds before the run, and the map files the sync starts from.
 */
import {mkdir, mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {writeMap} from '../../src/format/index.js'
import {type GridMap, type Observer, type Position, positionKey} from '../../src/model/types.js'

export interface Workload {
  id: string
  description: string
  /** What the server holds before the run. */
  server: GridMap[]
  /** The map files. */
  files: GridMap[]
  /** Run with --prune (maps without a file are deleted). */
  prune: boolean
}

/** A workload written to disk: the maps directory and the server's seed file. */
export interface Materialized {
  dir: string
  mapsDir: string
  seedFile: string | undefined
  bytes: number
}

/** A deterministic pseudo-random sequence (a 32-bit LCG). */
export function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

interface MapSpec {
  name: string
  width: number
  height: number
  /** Fraction of tiles with an obstacle. */
  density: number
  observers: number
  /** Prefix of observer names, unique across the workload. */
  observerPrefix: string
}

export function generateMap(next: () => number, spec: MapSpec): GridMap {
  const obstacles: Position[] = []
  const taken = new Set<string>()
  const cells = spec.width * spec.height
  const wanted = Math.round(cells * spec.density)
  if (spec.density > 0.05) {
    for (let y = 0; y < spec.height; y++) {
      for (let x = 0; x < spec.width; x++) {
        if (next() < spec.density) {
          obstacles.push({x, y})
          taken.add(`${x},${y}`)
        }
      }
    }
  } else {
    while (obstacles.length < wanted) {
      const p = {x: Math.floor(next() * spec.width), y: Math.floor(next() * spec.height)}
      const k = positionKey(p)
      if (taken.has(k)) continue
      taken.add(k)
      obstacles.push(p)
    }
    obstacles.sort((a, b) => a.y - b.y || a.x - b.x)
  }
  const observers: Observer[] = []
  while (observers.length < spec.observers) {
    const p = {x: Math.floor(next() * spec.width), y: Math.floor(next() * spec.height)}
    const k = positionKey(p)
    if (taken.has(k)) continue
    taken.add(k)
    observers.push({name: `${spec.observerPrefix}${observers.length}`, ...p, vision: observers.length % 3 === 0 ? null : 2 + (observers.length % 7)})
  }
  return {name: spec.name, width: spec.width, height: spec.height, observers, obstacles}
}

/** Free tiles of a map (no obstacle, no observer), drawn at random. */
function freeTile(next: () => number, map: GridMap, taken: Set<string>): Position {
  for (;;) {
    const p = {x: Math.floor(next() * map.width), y: Math.floor(next() * map.height)}
    const k = positionKey(p)
    if (!taken.has(k)) {
      taken.add(k)
      return p
    }
  }
}

interface Mutation {
  addObstacles?: number
  removeObstacles?: number
  moveObservers?: number
  changeVision?: number
  /** Grow the map by this many columns and rows. */
  grow?: number
}

/** A changed copy of a map, as someone editing the file would leave it. */
export function mutateMap(next: () => number, map: GridMap, m: Mutation): GridMap {
  const grow = m.grow ?? 0
  const out: GridMap = {...map, width: map.width + grow, height: map.height + grow, observers: map.observers.map((o) => ({...o})), obstacles: [...map.obstacles]}
  const taken = new Set([...out.obstacles.map(positionKey), ...out.observers.map(positionKey)])
  for (let i = 0; i < (m.removeObstacles ?? 0) && out.obstacles.length > 0; i++) {
    const [gone] = out.obstacles.splice(Math.floor(next() * out.obstacles.length), 1)
    taken.delete(positionKey(gone as Position))
  }
  for (let i = 0; i < (m.addObstacles ?? 0); i++) out.obstacles.push(freeTile(next, out, taken))
  for (let i = 0; i < (m.moveObservers ?? 0) && i < out.observers.length; i++) {
    const o = out.observers[i] as Observer
    taken.delete(positionKey(o))
    Object.assign(o, freeTile(next, out, taken))
  }
  for (let i = 0; i < (m.changeVision ?? 0) && i < out.observers.length; i++) {
    const o = out.observers[out.observers.length - 1 - i] as Observer
    o.vision = o.vision === null ? 4 : o.vision + 1
  }
  return out
}

const pad = (i: number): string => String(i).padStart(4, '0')

function createMany(id: string, description: string, count: number, spec: Omit<MapSpec, 'name' | 'observerPrefix'>, seed: number): Workload {
  const next = random(seed)
  const files = Array.from({length: count}, (_, i) => generateMap(next, {...spec, name: `${id} ${pad(i)}`, observerPrefix: `${id} o${i}-`}))
  return {id, description, server: [], files, prune: false}
}

/** The workloads of the push benchmark, smallest first. */
export function pushWorkloads(): Workload[] {
  const list: Workload[] = []

  list.push(createMany('create-10', '10 new maps of 20x20, 5% obstacles, 3 observers each; empty server', 10, {width: 20, height: 20, density: 0.05, observers: 3}, 1))
  list.push(createMany('create-100', '100 new maps of 16x16, 4 obstacles and 1 observer each; empty server', 100, {width: 16, height: 16, density: 4 / 256, observers: 1}, 2))
  list.push(createMany('create-500', '500 new maps of 8x8, 1 observer each; empty server', 500, {width: 8, height: 8, density: 0, observers: 1}, 3))
  list.push(createMany('create-dense', '3 new maps of 30x30, 20% obstacles, 5 observers each; empty server', 3, {width: 30, height: 30, density: 0.2, observers: 5}, 4))
  list.push(
    createMany(
      'create-1000x1000',
      '2 new sparse maps of 1,000x1,000, 300 obstacles and 10 observers each; empty server',
      2,
      {width: 1000, height: 1000, density: 300 / 1e6, observers: 10},
      5,
    ),
  )

  {
    const next = random(6)
    const maps = Array.from({length: 500}, (_, i) =>
      generateMap(next, {name: `in-sync ${pad(i)}`, width: 16, height: 16, density: 0.1, observers: 2, observerPrefix: `in-sync o${i}-`}),
    )
    list.push({id: 'in-sync-500', description: '500 maps of 16x16, 10% obstacles, already on the server: reads only, nothing to write', server: maps, files: maps, prune: false})
  }

  {
    const next = random(7)
    const server = Array.from({length: 100}, (_, i) =>
      generateMap(next, {name: `edit ${pad(i)}`, width: 50, height: 50, density: 0.2, observers: 5, observerPrefix: `edit o${i}-`}),
    )
    const files: GridMap[] = []
    server.forEach((map, i) => {
      if (i >= 97) return // three maps lose their file: pruned
      if (i < 30) files.push(mutateMap(next, map, {addObstacles: 3, removeObstacles: 3, moveObservers: 1, changeVision: 1}))
      else if (i < 35) files.push(mutateMap(next, map, {grow: 2, addObstacles: 2}))
      else files.push(map)
    })
    // Two observers move to another map: a delete on the old map before the create on the new one.
    for (const [from, to] of [
      [40, 41],
      [50, 51],
    ] as const) {
      const a = files[from] as GridMap
      const b = files[to] as GridMap
      const kept = [...a.observers]
      const moved = kept.pop() as Observer
      const taken = new Set([...b.obstacles.map(positionKey), ...b.observers.map(positionKey)])
      files[from] = {...a, observers: kept}
      files[to] = {...b, observers: [...b.observers, {...moved, ...freeTile(next, b, taken)}]}
    }
    for (let i = 0; i < 3; i++) files.push(generateMap(next, {name: `edit new ${i}`, width: 20, height: 20, density: 0.05, observers: 3, observerPrefix: `edit new o${i}-`}))
    list.push({
      id: 'edit-100',
      description: '100 maps of 50x50, 20% obstacles on the server; 30 edited, 5 grown, 2 observers moved between maps, 3 pruned, 3 new (--prune)',
      server,
      files,
      prune: true,
    })
  }

  {
    const next = random(8)
    const map = generateMap(next, {name: 'edit big', width: 1000, height: 1000, density: 0.1, observers: 20, observerPrefix: 'edit big o'})
    list.push({
      id: 'edit-1000x1000',
      description: 'one 1,000x1,000 map with 10% obstacles (100,000) on the server; 100 obstacles added, 100 removed, 5 observers moved',
      server: [map],
      files: [mutateMap(next, map, {addObstacles: 100, removeObstacles: 100, moveObservers: 5})],
      prune: false,
    })
  }

  return list
}

/** 500 maps of 100x100 on the server, and their files with a few edits: for timing local planning. */
export function planningWorkload(): Workload {
  const next = random(9)
  const server = Array.from({length: 500}, (_, i) =>
    generateMap(next, {name: `plan ${pad(i)}`, width: 100, height: 100, density: 0.1, observers: 5, observerPrefix: `plan o${i}-`}),
  )
  const files = server.map((map, i) => (i % 5 === 0 ? mutateMap(next, map, {addObstacles: 5, removeObstacles: 5, moveObservers: 1}) : map))
  return {id: 'plan-500x100x100', description: '500 maps of 100x100, 10% obstacles, 5 observers; 100 of them edited', server, files, prune: false}
}

/** One 2,000x2,000 map with 10% obstacles (400,000) on the server, its file with a few edits: for peak memory. */
export function hugeWorkload(): Workload {
  const next = random(10)
  const map = generateMap(next, {name: 'huge', width: 2000, height: 2000, density: 0.1, observers: 20, observerPrefix: 'huge o'})
  return {
    id: 'edit-2000x2000',
    description: 'one 2,000x2,000 map with 10% obstacles (400,000) on the server; 20 obstacles added, 20 removed, 2 observers moved',
    server: [map],
    files: [mutateMap(next, map, {addObstacles: 20, removeObstacles: 20, moveObservers: 2})],
    prune: false,
  }
}

/** Writes the map files and the server's seed file into a fresh temporary directory. */
export async function materialize(w: Workload, root?: string): Promise<Materialized> {
  const dir = await mkdtemp(join(root ?? tmpdir(), `gridsync-bench-${w.id}-`))
  const mapsDir = join(dir, 'maps')
  await mkdir(mapsDir)
  let bytes = 0
  for (const [i, map] of w.files.entries()) {
    const written = writeMap(map)
    if (!written.ok) throw new Error(`${w.id}: ${map.name}: ${written.problems.join('; ')}`)
    bytes += Buffer.byteLength(written.text)
    await writeFile(join(mapsDir, `map-${pad(i)}.map`), written.text)
  }
  let seedFile: string | undefined
  if (w.server.length > 0) {
    seedFile = join(dir, 'server.json')
    await writeFile(seedFile, JSON.stringify(w.server))
  }
  return {dir, mapsDir, seedFile, bytes}
}
