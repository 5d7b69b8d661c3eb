/**
 * Generated worlds for the fault suite: a maps directory and a server state that
 * differ in every way a sync must handle (maps to create, resize, update and prune;
 * observers to create, move within a map and between maps, re-vision and delete;
 * obstacles to create and delete), drawn from a seeded generator so a failing run can
 * be replayed exactly.
 */
import {writeMap} from '../../src/format/index.js'
import {type GridMap, type Observer, type Position, positionKey} from '../../src/model/types.js'
import {seededRandom, type SeedMap} from '../../src/sandbox/index.js'

export interface World {
  /** File name -> content, for the maps directory. */
  files: Record<string, string>
  /** The maps as the files hold them. */
  local: GridMap[]
  /** What the server holds before the first run. */
  seed: SeedMap[]
}

export interface WorldOptions {
  /** Maps with a file. */
  maps?: number
  /** Of those, how many the server already holds, in an older version. */
  existing?: number
  /** Maps only on the server (pruned). */
  serverOnly?: number
  /** Share of the tiles that hold an obstacle. */
  density?: number
}

class Draw {
  private readonly next: () => number
  constructor(seed: number) {
    this.next = seededRandom(seed)
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!
  }

  vision(): number | null {
    return this.chance(0.3) ? null : this.int(0, 12)
  }
}

export function generateWorld(seed: number, options: WorldOptions = {}): World {
  const {maps = 9, existing = 4, serverOnly = 2, density = 0.22} = options
  const draw = new Draw(seed)
  let observerCount = 0
  const observerName = (): string => `Watcher ${seed}-${++observerCount}`

  const local: GridMap[] = []
  for (let i = 0; i < maps; i++) {
    const width = draw.int(14, 28)
    const height = draw.int(6, 12)
    const obstacles = new Map<string, Position>()
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (draw.chance(density)) obstacles.set(positionKey({x, y}), {x, y})
    const observers: Observer[] = []
    const taken = new Set(obstacles.keys())
    for (let n = draw.int(2, 6); n > 0; n--) {
      const p = freeTile(draw, width, height, taken)
      if (p) observers.push({name: observerName(), ...p, vision: draw.vision()})
    }

    local.push({name: `Fault Map ${seed} ${String.fromCodePoint(65 + i)}`, width, height, observers, obstacles: [...obstacles.values()]})
  }

  // The server's older versions of the first `existing` maps.
  const seedMaps: SeedMap[] = []
  const moving: Array<{observer: Observer; to: number}> = []
  for (const m of local.slice(0, existing)) {
    const resize = draw.chance(0.5)
    const width = resize ? Math.max(1, m.width + draw.int(-4, 4)) : m.width
    const height = resize ? Math.max(1, m.height + draw.int(-3, 3)) : m.height
    const inside = (p: Position) => p.x < width && p.y < height
    const obstacles: Position[] = m.obstacles.filter((p) => inside(p) && draw.chance(0.7))
    for (let n = draw.int(3, 12); n > 0; n--) obstacles.push({x: draw.int(0, width - 1), y: draw.int(0, height - 1)})
    const observers: Observer[] = []
    for (const o of m.observers) {
      const roll = draw.int(0, 9)
      if (roll < 2) continue // created by the sync
      if (roll < 4)
        moving.push({observer: o, to: seedMaps.length}) // on another map for now
      else if (roll < 6) observers.push({...o, x: draw.int(0, width - 1), y: draw.int(0, height - 1)})
      else if (roll < 7) observers.push({...o, vision: draw.vision()})
      else if (inside(o)) observers.push({...o})
    }

    for (let n = draw.int(0, 2); n > 0; n--) observers.push({name: observerName(), x: draw.int(0, width - 1), y: draw.int(0, height - 1), vision: draw.vision()})
    const rows = [...new Map(obstacles.map((p) => [positionKey(p), p])).values()]
    seedMaps.push({name: m.name, width, height, observers: observers.map(seedObserver), obstacles: rows})
  }

  // Observers that move between maps start on a neighbouring existing map.
  for (const {observer, to} of moving) {
    const target = seedMaps[(to + 1) % seedMaps.length]!
    target.observers!.push(seedObserver({...observer, x: draw.int(0, target.width - 1), y: draw.int(0, target.height - 1)}))
  }

  for (let i = 0; i < serverOnly; i++) {
    const width = draw.int(3, 8)
    const height = draw.int(3, 6)
    seedMaps.push({
      name: `Stale Map ${seed} ${i + 1}`,
      width,
      height,
      observers: [seedObserver({name: observerName(), x: 0, y: 0, vision: draw.vision()})],
      obstacles: [{x: width - 1, y: height - 1}],
    })
  }

  const files: Record<string, string> = {}
  for (const [i, m] of local.entries()) {
    const written = writeMap(m)
    if (!written.ok) throw new Error(`generated an unwritable map: ${written.problems.join('; ')}`)
    files[`map-${i}.map`] = written.text
  }

  return {files, local, seed: seedMaps}
}

function freeTile(draw: Draw, width: number, height: number, taken: Set<string>): Position | undefined {
  for (let attempt = 0; attempt < 50; attempt++) {
    const p = {x: draw.int(0, width - 1), y: draw.int(0, height - 1)}
    const key = positionKey(p)
    if (!taken.has(key)) {
      taken.add(key)
      return p
    }
  }

  return undefined
}

function seedObserver(o: Observer): {name: string; x: number; y: number; vision: number | null} {
  return {name: o.name, x: o.x, y: o.y, vision: o.vision}
}
