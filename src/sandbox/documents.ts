import type {Position} from '../model/types.js'
import {JsonFloat} from './json.js'
import {MAP_INPUT_SCHEMA, OBSERVER_INPUT_SCHEMA, OBSTACLE_INPUT_SCHEMA} from './schemas.js'
import type {MapRow, ObserverRow} from './store.js'

/**
 * The documents GET answers carry: plain JSON by default, Mason hypermedia (the same
 * fields plus `@namespaces` and `@controls`) when the client accepts
 * application/vnd.mason+json. Links are relative paths, as in Location headers.
 */

export const MAPS_PATH = '/api/maps/'

export function mapPath(map: MapRow): string {
  return `${MAPS_PATH}${map.slug}/`
}

export function observerPath(observer: ObserverRow): string {
  return `${mapPath(observer.map)}observers/${observer.slug}/`
}

export function obstaclePath(map: MapRow, p: Position): string {
  return `${mapPath(map)}obstacles/${p.x}/${p.y}/`
}

type Controls = Record<string, Record<string, unknown>>

const NAMESPACES = {gridmap: {name: '/api/link-relations/'}}

function link(href: string, title?: string): Record<string, unknown> {
  return title === undefined ? {href} : {href, title}
}

function form(method: 'POST' | 'PUT', href: string, title: string, schema: unknown): Record<string, unknown> {
  return {method, encoding: 'json', href, title, schema}
}

function remove(href: string, title: string): Record<string, unknown> {
  return {method: 'DELETE', href, title}
}

function withControls<T extends object>(doc: T, controls: Controls, top = false): T {
  return top ? {...doc, '@namespaces': NAMESPACES, '@controls': controls} : {...doc, '@controls': controls}
}

function vision(value: number | null): JsonFloat | null {
  return value === null ? null : new JsonFloat(value)
}

export function mapListDoc(maps: readonly MapRow[], mason: boolean): unknown {
  const items = maps.map((map) => {
    const summary = {name: map.name, slug: map.slug, width: map.width, height: map.height}
    return mason ? withControls(summary, {self: link(mapPath(map))}) : summary
  })
  if (!mason) return {maps: items}
  return withControls(
    {maps: items},
    {
      self: link(MAPS_PATH),
      'gridmap:add-map': form('POST', MAPS_PATH, 'Add a map', MAP_INPUT_SCHEMA),
    },
    true,
  )
}

export function mapDoc(map: MapRow, mason: boolean): unknown {
  const observers = map.observers.map((o) => {
    const doc = {name: o.name, slug: o.slug, vision: vision(o.vision), x: o.x, y: o.y}
    return mason ? withControls(doc, {self: link(observerPath(o))}) : doc
  })
  const obstacles = map.obstacles.map((p) => {
    const doc = {x: p.x, y: p.y}
    return mason ? withControls(doc, {'gridmap:delete': remove(obstaclePath(map, p), 'Delete this obstacle')}) : doc
  })
  const doc = {name: map.name, slug: map.slug, width: map.width, height: map.height, observers, obstacles}
  if (!mason) return doc
  const self = mapPath(map)
  return withControls(
    doc,
    {
      self: link(self),
      collection: link(MAPS_PATH, 'All maps'),
      edit: form('PUT', self, 'Rename or resize this map', MAP_INPUT_SCHEMA),
      'gridmap:delete': remove(self, 'Delete this map and its contents'),
      'gridmap:add-observer': form('POST', `${self}observers/`, 'Add an observer', OBSERVER_INPUT_SCHEMA),
      'gridmap:add-obstacle': form('POST', `${self}obstacles/`, 'Add an obstacle', OBSTACLE_INPUT_SCHEMA),
    },
    true,
  )
}

export function observerDoc(observer: ObserverRow, mason: boolean): unknown {
  const doc = {
    name: observer.name,
    slug: observer.slug,
    vision: vision(observer.vision),
    x: observer.x,
    y: observer.y,
    map_name: observer.map.name,
    map_slug: observer.map.slug,
  }
  if (!mason) return doc
  const self = observerPath(observer)
  return withControls(
    doc,
    {
      self: link(self),
      up: link(mapPath(observer.map), 'The map this observer is on'),
      edit: form('PUT', self, 'Change this observer', OBSERVER_INPUT_SCHEMA),
      'gridmap:delete': remove(self, 'Delete this observer'),
    },
    true,
  )
}
