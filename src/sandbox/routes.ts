import {MAPS_PATH, mapDoc, mapListDoc, mapPath, observerDoc, observerPath, obstaclePath} from './documents.js'
import {openApiDocument} from './openapi.js'
import {emptyReply, htmlReply, JSON_TYPE, jsonReply, MASON_TYPE, type Reply} from './reply.js'
import type {Store} from './store.js'
import {mapInput, observerInput, obstacleInput} from './validate.js'

/**
 * The routes of the Gridmap API, their handlers, and how a path finds its route
 * (including the 308 redirects a missing trailing slash or a doubled slash gets).
 * Handlers run synchronously against the store, so every write is atomic.
 */

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE'

export interface HandlerContext {
  store: Store
  /** Decoded path parameters, in the order the pattern names them. */
  params: readonly string[]
  /** The parsed request body; throws the 400/415 ApiError when it is unusable. */
  body: () => Record<string, unknown>
  mason: boolean
  apiVersion: string
  ignoreObstacleDeletes: boolean
}

export type Handler = (ctx: HandlerContext) => Reply

export interface Route {
  /** E.g. `/api/maps/<map>/obstacles/`; also the key of the request counts. */
  pattern: string
  handlers: Partial<Record<Method, Handler>>
  /** GET answers here are subject to the stale-read cache. */
  staleReads?: boolean
  /**
   * Looks the item up in the data before the cache is consulted, throwing the 404 when it
   * is gone: as on the reference server, a 404 is never stale and a 200 proves the item
   * exists now (only its body may be old).
   */
  lookup?: (ctx: HandlerContext) => void
  /** POST here loads the map's existing contents first (the insert-cost defect). */
  insertCost?: boolean
}

function read(ctx: HandlerContext, doc: unknown): Reply {
  return jsonReply(200, doc, ctx.mason ? MASON_TYPE : JSON_TYPE)
}

const API_DOCS_TEXT = 'This Gridmap API sandbox describes itself in the OpenAPI document at <a href="/apispec_1.json">/apispec_1.json</a>.'

export const ROUTES: readonly Route[] = [
  {
    pattern: MAPS_PATH,
    staleReads: true,
    handlers: {
      GET: (ctx) => read(ctx, mapListDoc(ctx.store.maps(), ctx.mason)),
      POST: ({store, body}) => emptyReply(201, mapPath(store.createMap(mapInput(body())))),
    },
  },
  {
    pattern: '/api/maps/<map>/',
    staleReads: true,
    lookup: (ctx) => void ctx.store.findMap(ctx.params[0]!),
    handlers: {
      GET: (ctx) => read(ctx, mapDoc(ctx.store.findMap(ctx.params[0]!), ctx.mason)),
      PUT: ({store, params, body}) => {
        const map = store.findMap(params[0]!)
        store.updateMap(map, mapInput(body()))
        return emptyReply(204)
      },
      DELETE: ({store, params}) => {
        store.deleteMap(store.findMap(params[0]!))
        return emptyReply(204)
      },
    },
  },
  {
    pattern: '/api/maps/<map>/observers/',
    insertCost: true,
    handlers: {
      POST: ({store, params, body}) => {
        const map = store.findMap(params[0]!)
        return emptyReply(201, observerPath(store.createObserver(map, observerInput(body()))))
      },
    },
  },
  {
    // The map segment must name a map, but the observer is found by its slug alone.
    pattern: '/api/maps/<map>/observers/<observer>/',
    staleReads: true,
    lookup: (ctx) => {
      ctx.store.findMap(ctx.params[0]!)
      ctx.store.findObserver(ctx.params[1]!)
    },
    handlers: {
      GET: (ctx) => {
        ctx.store.findMap(ctx.params[0]!)
        return read(ctx, observerDoc(ctx.store.findObserver(ctx.params[1]!), ctx.mason))
      },
      PUT: ({store, params, body}) => {
        store.findMap(params[0]!)
        store.updateObserver(store.findObserver(params[1]!), observerInput(body()))
        return emptyReply(204)
      },
      DELETE: ({store, params}) => {
        store.findMap(params[0]!)
        store.deleteObserver(store.findObserver(params[1]!))
        return emptyReply(204)
      },
    },
  },
  {
    pattern: '/api/maps/<map>/obstacles/',
    insertCost: true,
    handlers: {
      POST: ({store, params, body}) => {
        const map = store.findMap(params[0]!)
        const position = obstacleInput(body())
        store.createObstacle(map, position)
        return emptyReply(201, obstaclePath(map, position))
      },
    },
  },
  {
    pattern: '/api/maps/<map>/obstacles/<x>/<y>/',
    handlers: {
      DELETE: ({store, params, ignoreObstacleDeletes}) => {
        const map = store.findMap(params[0]!)
        const index = store.findObstacle(map, {x: Number(params[1]), y: Number(params[2])})
        if (!ignoreObstacleDeletes) store.deleteObstacle(map, index)
        return emptyReply(204)
      },
    },
  },
  {pattern: '/apispec_1.json', handlers: {GET: (ctx) => jsonReply(200, openApiDocument(ctx.apiVersion))}},
  {pattern: '/apidocs/', handlers: {GET: () => htmlReply(200, 'Gridmap API', API_DOCS_TEXT)}},
]

/** Methods a route answers, as listed in Allow headers. */
export function allowedMethods(route: Route): string[] {
  const methods = Object.keys(route.handlers)
  return route.handlers.GET ? [...methods, 'HEAD', 'OPTIONS'] : [...methods, 'OPTIONS']
}

function compile(pattern: string): RegExp {
  const source = pattern
    .split(/(<[a-z]+>)/)
    .map((part) => {
      if (part === '<x>' || part === '<y>') return '(\\d+)'
      if (part.startsWith('<')) return '([^/]+)'
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    })
    .join('')
  return new RegExp(`^${source}$`)
}

const COMPILED = ROUTES.map((route) => ({route, regex: compile(route.pattern)}))

export type Resolution =
  | {kind: 'route'; route: Route; params: string[]}
  /** 308 to `location`; `pattern` is what the request counts are keyed by. */
  | {kind: 'redirect'; location: string; pattern: string}
  | {kind: 'none'}

/** The key requests that match no route are counted under. */
export const UNROUTED = '*'

function match(path: string): {route: Route; params: string[]} | undefined {
  for (const {route, regex} of COMPILED) {
    const found = regex.exec(path)
    if (!found) continue
    try {
      return {route, params: found.slice(1).map((segment) => decodeURIComponent(segment))}
    } catch {
      return undefined
    }
  }
  return undefined
}

export function resolve(path: string): Resolution {
  const found = match(path)
  if (found) return {kind: 'route', ...found}
  if (path.includes('//')) {
    const merged = path.replace(/\/{2,}/g, '/')
    return match(merged) ? {kind: 'redirect', location: merged, pattern: UNROUTED} : {kind: 'none'}
  }
  const slashed = match(`${path}/`)
  if (slashed) return {kind: 'redirect', location: `${path}/`, pattern: slashed.route.pattern.slice(0, -1)}
  return {kind: 'none'}
}
