import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import {createServer as createTlsServer} from 'node:https'
import type {AddressInfo} from 'node:net'

import {type FaultRequest, FaultTracker, type FaultRule} from './faults.js'
import {
  ApiError,
  DATABASE_LOCKED,
  errorReply,
  garbledReply,
  JSON_TYPE,
  MASON_TYPE,
  messageReply,
  methodNotAllowedReply,
  notFoundReply,
  optionsReply,
  redirectReply,
  type Reply,
} from './reply.js'
import {allowedMethods, type HandlerContext, type Method, resolve, type Resolution, type Route, UNROUTED} from './routes.js'
import {type SandboxMapState, type SeedMap, Store} from './store.js'
import {parseJsonBody} from './validate.js'

/** Time as the sandbox sees it; tests pass a fake one to control TTLs and delays. */
export interface SandboxClock {
  now(): number
  /** Resolves after `ms`, or as soon as `signal` aborts (the sandbox is closing). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** One request the sandbox answered (or dropped), as `onRequest` gets it. */
export interface SandboxRequestLog {
  method: string
  /** The request's path and query, as sent. */
  path: string
  /** The status sent; undefined when the connection was dropped without an answer. */
  status?: number
  /** From the request's arrival to its answer, in ms of real time. */
  durationMs: number
}

/**
 * The reference server's defects, each a switch, all off when absent. Change them at
 * any time through `sandbox.defects`; a request uses the values current when it runs.
 */
export interface SandboxDefects {
  /**
   * Stale reads: GET answers of `/api/maps/`, a map and an observer are served from a
   * cache, per path and representation (JSON or Mason), for this many ms. Only 200
   * answers are cached (a 404 is never served stale), and no write clears the cache.
   */
  staleReadsTtlMs?: number
  /** DELETE of an obstacle that exists answers 204 and removes nothing (an unknown one is still 404). */
  ignoreObstacleDeletes?: boolean
  /** Added before handling every request. */
  latencyMs?: number
  /** A 500 `{"message": "database is locked"}` instead of a write (POST, PUT, DELETE on a route); nothing is written. */
  failBeforeWrite?: FaultRule
  /** A successful write (2xx) is committed, then the connection is destroyed without an answer. */
  dropAfterWrite?: FaultRule
  /** With more than this many requests in flight, a request arriving answers 500 database locked. */
  concurrencyLimit?: number
  /** A POST of an observer or obstacle waits this many ms per object already on the map. */
  insertCostMs?: number
  /** 429 Too Many Requests with a `Retry-After` header instead of handling a request (any method and path); nothing is written. */
  throttle?: FaultRule
  /** The `Retry-After` of a throttled answer, in seconds. Default 1. */
  retryAfterSeconds?: number
  /**
   * A request (any method) is held `stallMs` before it is handled, after `latencyMs`. A
   * client that gives up sooner sees a timeout; a held write is still carried out when
   * the time is up, as on a server that is merely slow.
   */
  stall?: FaultRule
  /** How long a stalled request is held, in ms. Default 5000. */
  stallMs?: number
  /**
   * An answer with a body (a read, an error) is cut off: its headers announce the whole
   * body, half of it is sent, then the connection is closed. A write is carried out first.
   */
  truncateBody?: FaultRule
  /** An answer's body is replaced by an HTML page that is not JSON, its status kept (a 204 is left alone). */
  garbleBody?: FaultRule
  /**
   * The server goes down as a request arrives: that request is dropped unhandled, every
   * open connection is closed (answers still being prepared are lost, though their writes
   * may land) and the port stops listening for `outageMs`. Then it listens again on the
   * same port, with its data intact and its read cache empty, as after a restart.
   */
  outage?: FaultRule
  /** How long an outage lasts, in ms. Default 1000. */
  outageMs?: number
}

/** The defects that count in `SandboxStats.faults` each time they change an answer. */
export type FaultName =
  'staleReadsTtlMs' | 'ignoreObstacleDeletes' | 'failBeforeWrite' | 'dropAfterWrite' | 'concurrencyLimit' | 'throttle' | 'stall' | 'truncateBody' | 'garbleBody' | 'outage'

export interface SandboxOptions {
  /** 0 (the default): a free port. */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /** `info.version` of the OpenAPI document; default 1.0.0. */
  apiVersion?: string
  /** Serve HTTPS with this key and certificate (PEM) instead of plain HTTP. */
  tls?: {key: string | Buffer; cert: string | Buffer; ca?: string | Buffer; requestCert?: boolean}
  /** Send `Connection: close` on every answer, as the reference deployment does. Default: keep-alive. */
  connectionClose?: boolean
  defects?: SandboxDefects
  seed?: readonly SeedMap[]
  clock?: SandboxClock
  /** Called once for every request, after its answer (a request log). */
  onRequest?: (entry: SandboxRequestLog) => void
}

export interface SandboxStats {
  total: number
  /** Counts keyed by method and route pattern, e.g. `POST /api/maps/<map>/obstacles/`. Requests that match no route count under `METHOD *`. */
  byRoute: Record<string, number>
  /**
   * Writes (POST, PUT, DELETE) the server answered with a 2xx, keyed like `byRoute`,
   * whether or not the answer reached the client. An ignored obstacle delete counts
   * (it answers 204).
   */
  succeeded: Record<string, number>
  /** How often each defect changed an answer: a stale answer served, a fault switch fired. */
  faults: Partial<Record<FaultName, number>>
}

export interface Sandbox {
  /** E.g. http://127.0.0.1:40123 (no trailing slash). */
  readonly url: string
  readonly port: number
  defects: SandboxDefects
  readonly stats: SandboxStats
  resetStats(): void
  /** The true current data, whatever the stale-read cache would answer. */
  snapshot(): SandboxMapState[]
  /** Each map's name -> a number the map keeps for life (a rename does not change it): which map is which across renames. */
  mapIds(): Map<string, number>
  seed(maps: readonly SeedMap[]): void
  clearCache(): void
  /** Back to the state at start: the seeded data and the defects given then; cache and counts emptied. */
  reset(): void
  /** Resolves once no request is being handled (stalled writes have landed) and no outage is under way. */
  idle(): Promise<void>
  /** Stops listening and closes open connections, keep-alive ones included. Closing twice is harmless. */
  close(): Promise<void>
}

export const realClock: SandboxClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) {
        resolve()
        return
      }
      const done = (): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      signal?.addEventListener('abort', done, {once: true})
    }),
}

const DROP = Symbol('drop the connection')
type Outcome = Reply | typeof DROP

const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'DELETE'])

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function statsKey(method: string, resolution: Resolution): string {
  if (resolution.kind === 'route') return `${method} ${resolution.route.pattern}`
  return `${method} ${resolution.kind === 'redirect' ? resolution.pattern : UNROUTED}`
}

class SandboxServer implements Sandbox {
  readonly url: string
  readonly port: number
  defects: SandboxDefects
  readonly stats: SandboxStats = {total: 0, byRoute: {}, succeeded: {}, faults: {}}
  private readonly store = new Store()
  private readonly faults = new FaultTracker()
  private readonly cache = new Map<string, {at: number; reply: Reply}>()
  private readonly clock: SandboxClock
  private readonly apiVersion: string
  private readonly connectionClose: boolean
  private readonly initialDefects: SandboxDefects
  private readonly initialSeed: readonly SeedMap[]
  private inFlight = 0
  private readonly scheme: 'http' | 'https'
  private readonly host: string
  /** The outage under way, if any: it ends when the server listens again. */
  private down: Promise<void> | undefined
  private closed = false
  /** Aborted by close(): every wait of a request still being handled ends at once. */
  private readonly closing = new AbortController()
  private readonly onRequest: SandboxOptions['onRequest']
  private idleWaiters: Array<() => void> = []

  constructor(
    private readonly server: Server,
    options: SandboxOptions,
  ) {
    const {address, port} = server.address() as AddressInfo
    this.port = port
    this.host = address
    this.scheme = options.tls ? 'https' : 'http'
    this.url = `${this.scheme}://${address.includes(':') ? `[${address}]` : address}:${port}`
    this.initialDefects = {...options.defects}
    this.defects = {...options.defects}
    this.clock = options.clock ?? realClock
    this.apiVersion = options.apiVersion ?? '1.0.0'
    this.connectionClose = options.connectionClose ?? false
    this.initialSeed = options.seed ?? []
    this.onRequest = options.onRequest
    this.seed(this.initialSeed)
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res))
  }

  resetStats(): void {
    this.stats.total = 0
    this.stats.byRoute = {}
    this.stats.succeeded = {}
    this.stats.faults = {}
  }

  snapshot(): SandboxMapState[] {
    return this.store.snapshot()
  }

  mapIds(): Map<string, number> {
    return this.store.mapIds()
  }

  seed(maps: readonly SeedMap[]): void {
    this.store.seed(maps)
  }

  clearCache(): void {
    this.cache.clear()
  }

  reset(): void {
    this.store.clear()
    this.seed(this.initialSeed)
    this.cache.clear()
    this.faults.reset()
    this.resetStats()
    this.defects = {...this.initialDefects}
  }

  idle(): Promise<void> {
    if (this.inFlight === 0 && !this.down) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  close(): Promise<void> {
    this.closed = true
    this.closing.abort()
    if (!this.server.listening) return Promise.resolve()
    return new Promise((resolve, reject) => {
      this.server.close((err) => (err ? reject(err) : resolve()))
      this.server.closeAllConnections()
    })
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++
    const started = performance.now()
    try {
      const method = req.method ?? 'GET'
      const [path = '/', query] = (req.url ?? '/').split(/\?(.*)/s)
      const resolution = resolve(path)
      const key = statsKey(method, resolution)
      this.stats.total++
      this.stats.byRoute[key] = (this.stats.byRoute[key] ?? 0) + 1
      const overloaded = this.inFlight > (this.defects.concurrencyLimit ?? Infinity)
      const raw = await readBody(req)
      if (this.defects.latencyMs) await this.pause(this.defects.latencyMs)
      const request: FaultRequest = {method, path}
      if (this.fires('outage', request)) {
        req.socket.destroy()
        this.goDown()
        return
      }

      if (this.fires('stall', request)) await this.pause(this.defects.stallMs ?? 5000)
      let outcome: Outcome
      if (overloaded) {
        this.count('concurrencyLimit')
        outcome = messageReply(500, DATABASE_LOCKED)
      } else if (this.fires('throttle', request)) {
        outcome = throttledReply(this.defects.retryAfterSeconds ?? 1)
      } else {
        outcome = await this.respond(req, method, path, query, resolution, raw)
      }

      if (outcome === DROP) req.socket.destroy()
      else this.send(res, outcome, request)
    } catch (err) {
      if (!res.headersSent && !res.destroyed) this.send(res, messageReply(500, `Sandbox failure: ${(err as Error).message}`))
    } finally {
      this.inFlight--
      this.onRequest?.({
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        ...(res.headersSent ? {status: res.statusCode} : {}),
        durationMs: performance.now() - started,
      })
      this.wakeIdleWaiters()
    }
  }

  /** A wait that ends early when the sandbox closes. */
  private pause(ms: number): Promise<void> {
    return this.clock.sleep(ms, this.closing.signal)
  }

  /** Whether a fault switch fires for this request, counting it when it does. */
  private fires(name: FaultName & keyof SandboxDefects, request: FaultRequest): boolean {
    const fired = this.faults.fires(this.defects[name] as FaultRule | undefined, request)
    if (fired) this.count(name)
    return fired
  }

  private count(name: FaultName): void {
    this.stats.faults[name] = (this.stats.faults[name] ?? 0) + 1
  }

  /** The outage: stop listening, close every connection, wait, listen again on the same port. */
  private goDown(): void {
    if (this.down) return
    this.down = (async () => {
      await new Promise<void>((resolve) => {
        this.server.close(() => resolve())
        this.server.closeAllConnections()
      })
      this.cache.clear()
      await this.pause(this.defects.outageMs ?? 1000)
      if (this.closed) return
      await listen(this.server, this.port, this.host)
      // Closed while it was coming back up: stay closed.
      if (this.closed) await new Promise<void>((resolve) => this.server.close(() => resolve()))
    })().finally(() => {
      this.down = undefined
      this.wakeIdleWaiters()
    })
  }

  private wakeIdleWaiters(): void {
    if (this.inFlight > 0 || this.down) return
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const resolve of waiters) resolve()
  }

  private async respond(req: IncomingMessage, method: string, path: string, query: string | undefined, resolution: Resolution, raw: Buffer): Promise<Outcome> {
    if (resolution.kind === 'none') return notFoundReply(path)
    if (resolution.kind === 'redirect') {
      const host = req.headers.host ?? new URL(this.url).host
      return redirectReply(`${this.scheme}://${host}${resolution.location}${query === undefined ? '' : `?${query}`}`)
    }
    const {route, params} = resolution
    if (method === 'OPTIONS') return optionsReply(allowedMethods(route))
    const handlerMethod = (method === 'HEAD' ? 'GET' : method) as Method
    const handler = route.handlers[handlerMethod]
    if (!handler) return methodNotAllowedReply(method, allowedMethods(route))
    const mason = (req.headers.accept ?? '').includes(MASON_TYPE)
    const ctx: HandlerContext = {
      store: this.store,
      params,
      body: () => parseJsonBody(req.headers['content-type'], raw),
      mason,
      apiVersion: this.apiVersion,
      ignoreObstacleDeletes: this.defects.ignoreObstacleDeletes ?? false,
    }
    const run = (): Reply => {
      try {
        return handler(ctx)
      } catch (err) {
        if (err instanceof ApiError) return errorReply(err, path)
        throw err
      }
    }
    if (!WRITE_METHODS.has(handlerMethod)) {
      if (!route.staleReads) return run()
      const gone = lookupFailure(route, ctx, path)
      return gone ?? this.cachedRead(`${mason ? MASON_TYPE : JSON_TYPE} ${path}`, run)
    }
    const write = {method, path}
    if (this.fires('failBeforeWrite', write)) return messageReply(500, DATABASE_LOCKED)
    if (route.insertCost && this.defects.insertCostMs) {
      await this.pause(this.defects.insertCostMs * this.store.objectCount(params[0]!))
    }
    const reply = run()
    if (reply.status < 300) {
      const key = `${method} ${route.pattern}`
      this.stats.succeeded[key] = (this.stats.succeeded[key] ?? 0) + 1
      if (ctx.ignoreObstacleDeletes && key === IGNORED_DELETE) this.count('ignoreObstacleDeletes')
      if (this.fires('dropAfterWrite', write)) return DROP
    }
    return reply
  }

  private cachedRead(key: string, run: () => Reply): Reply {
    const ttl = this.defects.staleReadsTtlMs ?? 0
    if (ttl <= 0) return run()
    const now = this.clock.now()
    const hit = this.cache.get(key)
    if (hit && now - hit.at < ttl) {
      this.count('staleReadsTtlMs')
      return hit.reply
    }
    const reply = run()
    if (reply.status === 200) this.cache.set(key, {at: now, reply})
    else this.cache.delete(key)
    return reply
  }

  private send(res: ServerResponse, reply: Reply, request?: FaultRequest): void {
    if (request && reply.status !== 204 && this.fires('garbleBody', request)) reply = garbledReply(reply)
    const body = Buffer.from(reply.body)
    res.statusCode = reply.status
    res.setHeader('Server', 'gridmap-sandbox')
    for (const [name, value] of Object.entries(reply.headers)) res.setHeader(name, value)
    if (reply.status !== 204) res.setHeader('Content-Length', body.length)
    if (this.connectionClose) res.setHeader('Connection', 'close')
    if (request && body.length > 0 && this.fires('truncateBody', request)) {
      // The headers promise the whole body; half of it comes, then the connection ends.
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy())
      return
    }
    res.end(body)
  }
}

/** The 404 of an item that is gone, found before the cache is consulted; undefined when it exists. */
function lookupFailure(route: Route, ctx: HandlerContext, path: string): Reply | undefined {
  try {
    route.lookup?.(ctx)
    return undefined
  } catch (err) {
    if (err instanceof ApiError) return errorReply(err, path)
    throw err
  }
}

const IGNORED_DELETE = 'DELETE /api/maps/<map>/obstacles/<x>/<y>/'

function throttledReply(retryAfterSeconds: number): Reply {
  const reply = messageReply(429, 'Too many requests: slow down.')
  reply.headers['Retry-After'] = String(retryAfterSeconds)
  return reply
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

/** Starts a Gridmap-compatible server in memory, listening on 127.0.0.1 and a free port unless told otherwise. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const server = options.tls ? createTlsServer({...options.tls, rejectUnauthorized: Boolean(options.tls.requestCert)}) : createServer()
  await listen(server, options.port ?? 0, options.host ?? '127.0.0.1')
  try {
    return new SandboxServer(server, options)
  } catch (err) {
    server.close()
    throw err
  }
}
