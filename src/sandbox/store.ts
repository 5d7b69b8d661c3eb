import type {Observer, Position} from '../model/types.js'
import {ApiError} from './reply.js'
import {slugify} from './slug.js'

/**
 * The sandbox's data, in memory, with the reference server's rules: slugs made from
 * names, map slugs unique, observer slugs unique across all maps, positions inside the
 * map when written, obstacles allowed to repeat, everything listed in creation order.
 */

export interface MapInput {
  name: string
  width: number
  height: number
}

export interface ObserverInput extends Position {
  name: string
  vision: number | null
}

export interface MapRow extends MapInput {
  slug: string
  observers: ObserverRow[]
  obstacles: Position[]
}

export interface ObserverRow extends ObserverInput {
  slug: string
  map: MapRow
}

/** A map to preload; any GridMap fits. Contents may lie outside the bounds (as after a shrink). */
export interface SeedMap extends MapInput {
  observers?: Array<Position & {name: string; vision?: number | null}>
  obstacles?: Position[]
}

export interface SandboxObserverState extends Observer {
  slug: string
}

/** The true state of one map, as `Sandbox.snapshot()` reports it. */
export interface SandboxMapState extends MapInput {
  slug: string
  observers: SandboxObserverState[]
  obstacles: Position[]
}

function checkInside(map: MapRow, p: Position): void {
  if (p.x >= map.width || p.y >= map.height || p.x < 0 || p.y < 0) {
    throw new ApiError(400, `Position (${p.x}, ${p.y}) is outside map '${map.name}' (${map.width}x${map.height})`)
  }
}

export class Store {
  /** In creation (id) order, which a rename does not change. */
  private readonly rows: MapRow[] = []
  private readonly mapsBySlug = new Map<string, MapRow>()
  private readonly observersBySlug = new Map<string, ObserverRow>()
  /** Each map's number for life: a rename does not change it (see mapIds). */
  private readonly ids = new WeakMap<MapRow, number>()
  private nextId = 1

  maps(): readonly MapRow[] {
    return this.rows
  }

  findMap(slug: string): MapRow {
    const map = this.mapsBySlug.get(slug)
    if (!map) throw new ApiError(404, `no map ${slug}`)
    return map
  }

  /** How many observers and obstacles the map holds; 0 for an unknown map. */
  objectCount(slug: string): number {
    const map = this.mapsBySlug.get(slug)
    return map ? map.observers.length + map.obstacles.length : 0
  }

  findObserver(slug: string): ObserverRow {
    const observer = this.observersBySlug.get(slug)
    if (!observer) throw new ApiError(404, `no observer ${slug}`)
    return observer
  }

  private claimMapSlug(name: string, self?: MapRow): string {
    const slug = slugify(name)
    const holder = this.mapsBySlug.get(slug)
    if (holder && holder !== self) {
      throw new ApiError(409, `Map name '${name}' conflicts with map '${holder.name}' (both have slug '${slug}')`)
    }
    return slug
  }

  private claimObserverSlug(name: string, self?: ObserverRow): string {
    const slug = slugify(name)
    const holder = this.observersBySlug.get(slug)
    if (holder && holder !== self) {
      throw new ApiError(409, `Observer name '${name}' conflicts with observer '${holder.name}' on map '${holder.map.name}' (both have slug '${slug}')`)
    }
    return slug
  }

  createMap(input: MapInput): MapRow {
    const slug = this.claimMapSlug(input.name)
    const map: MapRow = {name: input.name, slug, width: input.width, height: input.height, observers: [], obstacles: []}
    this.rows.push(map)
    this.mapsBySlug.set(slug, map)
    this.ids.set(map, this.nextId++)
    return map
  }

  /** Each map's name -> its number, which it keeps for life: tells a renamed map from a new one. */
  mapIds(): Map<string, number> {
    return new Map(this.rows.map((m) => [m.name, this.ids.get(m)!]))
  }

  /** Renames change the slug; a smaller size is not checked against the contents. */
  updateMap(map: MapRow, input: MapInput): void {
    const slug = this.claimMapSlug(input.name, map)
    this.mapsBySlug.delete(map.slug)
    Object.assign(map, {name: input.name, slug, width: input.width, height: input.height})
    this.mapsBySlug.set(slug, map)
  }

  deleteMap(map: MapRow): void {
    for (const observer of map.observers) this.observersBySlug.delete(observer.slug)
    this.rows.splice(this.rows.indexOf(map), 1)
    this.mapsBySlug.delete(map.slug)
  }

  createObserver(map: MapRow, input: ObserverInput): ObserverRow {
    checkInside(map, input)
    return this.insertObserver(map, input)
  }

  private insertObserver(map: MapRow, input: ObserverInput): ObserverRow {
    const slug = this.claimObserverSlug(input.name)
    const observer: ObserverRow = {name: input.name, slug, x: input.x, y: input.y, vision: input.vision, map}
    map.observers.push(observer)
    this.observersBySlug.set(slug, observer)
    return observer
  }

  /** Checked against the observer's own map, whatever map the URL named. */
  updateObserver(observer: ObserverRow, input: ObserverInput): void {
    checkInside(observer.map, input)
    const slug = this.claimObserverSlug(input.name, observer)
    this.observersBySlug.delete(observer.slug)
    Object.assign(observer, {name: input.name, slug, x: input.x, y: input.y, vision: input.vision})
    this.observersBySlug.set(slug, observer)
  }

  deleteObserver(observer: ObserverRow): void {
    const list = observer.map.observers
    list.splice(list.indexOf(observer), 1)
    this.observersBySlug.delete(observer.slug)
  }

  /** Adds a row even where one already is: obstacles may repeat. */
  createObstacle(map: MapRow, p: Position): void {
    checkInside(map, p)
    map.obstacles.push({x: p.x, y: p.y})
  }

  /** The first obstacle at (x, y) on the map, as an index into its list. */
  findObstacle(map: MapRow, p: Position): number {
    const index = map.obstacles.findIndex((o) => o.x === p.x && o.y === p.y)
    if (index < 0) throw new ApiError(404, `no obstacle at ${p.x},${p.y}`)
    return index
  }

  deleteObstacle(map: MapRow, index: number): void {
    map.obstacles.splice(index, 1)
  }

  /** Preloads maps, keeping the slug rules (a conflict throws) but not the bounds. */
  seed(maps: readonly SeedMap[]): void {
    for (const seed of maps) {
      const map = this.createMap(seed)
      for (const o of seed.observers ?? []) this.insertObserver(map, {name: o.name, x: o.x, y: o.y, vision: o.vision ?? null})
      for (const p of seed.obstacles ?? []) map.obstacles.push({x: p.x, y: p.y})
    }
  }

  snapshot(): SandboxMapState[] {
    return this.maps().map((map) => ({
      name: map.name,
      slug: map.slug,
      width: map.width,
      height: map.height,
      observers: map.observers.map(({name, slug, x, y, vision}) => ({name, slug, x, y, vision})),
      obstacles: map.obstacles.map(({x, y}) => ({x, y})),
    }))
  }

  clear(): void {
    this.rows.length = 0
    this.mapsBySlug.clear()
    this.observersBySlug.clear()
  }
}
