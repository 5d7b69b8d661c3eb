/**
 * The Gridmap API as typed async methods, for one server: keep-alive connections
 * bounded to the concurrency, a timeout on every attempt, retries that never repeat a
 * write that may have happened, every answer checked against the contract.
 */
import http from 'node:http'
import https from 'node:https'
import {performance} from 'node:perf_hooks'

import got, {CancelError, HTTPError, RequestError, type Got, type Method, type Response} from 'got'
import type {z} from 'zod'

import type {Observer, Position, RemoteMap, RemoteMapSummary, RemoteObserver} from '../model/types.js'
import {ApiOptionError, ContractError, HttpError, NetworkError, VersionMismatchError} from './errors.js'
import {describeConnectionFailure} from './failures.js'
import {DEFAULT_OUTAGE_POLICY, describeOutage, type Outage, type OutagePolicy, OutageWatch} from './outage.js'
import {DEFAULT_RETRY_POLICY, retryDelay, type RetryPolicy} from './retry.js'
import type {ClientProxy} from './proxy.js'
import {tlsAgentOptions, type TlsSettings} from './tls.js'
import {ServerUrl, under} from './urls.js'

export interface APIDataSourceOptions extends TlsSettings {
  /** Base URL of the server, e.g. http://127.0.0.1:5000; a path prefix is allowed. */
  server: string
  /** Limit of each HTTP attempt, body included. Default 30. */
  timeoutSeconds?: number
  /** Most connections open at once to the server. Default 4. */
  concurrency?: number
  /** Retries after a failed first attempt. Default 3. */
  retries?: number
  /** Backoff before the first retry, doubling after. Default 200 ms. */
  retryBaseMs?: number
  /** Largest answer body accepted. Default 64 MiB. */
  maxResponseBytes?: number
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string
  /** Extra headers sent with every request. */
  headers?: Record<string, string>
  userAgent?: string
  /** Reach the server through this proxy (see proxy.ts); directly when left out. */
  proxy?: ClientProxy
  /** Called once per HTTP attempt, e.g. for logs and statistics. Must not throw. */
  onRequest?: (event: RequestEvent) => void
  /** When the server counts as gone and nothing more is sent (see OutageWatch). */
  outagePolicy?: OutagePolicy
}

/** One HTTP attempt. */
export interface RequestEvent {
  method: string
  /** The request URL (it never holds credentials). */
  url: string
  /** The answer's status, when there was an answer. */
  status?: number
  /** What went wrong, when there was no (usable) answer. */
  error?: string
  durationMs: number
  /** 1 for the first attempt, 2 for the first retry... */
  attempt: number
}

export interface MapBody {
  name: string
  width: number
  height: number
}

/** A resource the server created, by the URL of its Location header. */
export interface Created {
  url: string
}

/** An observer read on its own URL: it names its map. */
export interface RemoteObserverDetail extends RemoteObserver {
  mapName: string
  mapSlug: string
  mapUrl: string
}

interface Answer {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
}

type Schemas = typeof import('./schemas.js')
let schemas: Promise<Schemas> | undefined

/**
 * The contract's answer schemas, with zod. Loaded when a client is made, not when
 * gridsync starts: the first request is on its way while they load.
 */
async function loadSchemas(): Promise<Schemas> {
  schemas ??= import('./schemas.js')
  return schemas
}

/** Answers of a gateway that gave up waiting: the server behind it may have carried out the request. */
const GATEWAY_GAVE_UP: ReadonlySet<number> = new Set([502, 504])

/** Idle time after which a kept-alive connection is closed (under common server keep-alive timeouts). */
const IDLE_SOCKET_MS = 1500

const DEFAULTS = {timeoutSeconds: 30, concurrency: 4, maxResponseBytes: 64 * 1024 * 1024, userAgent: 'gridsync'}

export class APIDataSource {
  private readonly server: ServerUrl
  private readonly http: Got
  private readonly agents: {http: http.Agent; https: https.Agent}
  private readonly retryPolicy: RetryPolicy
  private readonly timeoutMs: number
  private readonly maxResponseBytes: number
  private readonly onRequest: ((event: RequestEvent) => void) | undefined
  private readonly watch: OutageWatch
  /** Why nothing more is sent, once halt() was called. */
  private halted: string | undefined
  /** Requests under way, to cut off on halt(). */
  private readonly underWay = new Set<{cancel(): void}>()
  private readonly proxy: string | undefined

  constructor(options: APIDataSourceOptions) {
    this.server = new ServerUrl(options.server)
    this.timeoutMs = 1000 * positive('timeoutSeconds', options.timeoutSeconds ?? DEFAULTS.timeoutSeconds)
    const concurrency = positive('concurrency', options.concurrency ?? DEFAULTS.concurrency, true)
    this.maxResponseBytes = positive('maxResponseBytes', options.maxResponseBytes ?? DEFAULTS.maxResponseBytes, true)
    this.retryPolicy = {
      ...DEFAULT_RETRY_POLICY,
      retries: nonNegativeInteger('retries', options.retries ?? DEFAULT_RETRY_POLICY.retries),
      baseMs: positive('retryBaseMs', options.retryBaseMs ?? DEFAULT_RETRY_POLICY.baseMs),
    }
    this.onRequest = options.onRequest
    this.watch = new OutageWatch(options.outagePolicy ?? DEFAULT_OUTAGE_POLICY)
    loadSchemas().catch(() => {}) // A failure shows when the schemas are used.
    // Idle connections are dropped before a server's keep-alive timeout would close them
    // under a request (a POST lost that way would be ambiguous); active ones are not affected.
    const pool = {keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency, timeout: IDLE_SOCKET_MS}
    const tls = tlsAgentOptions(options)
    this.proxy = options.proxy?.shown
    this.agents = options.proxy ? options.proxy.agents(pool, tls) : {http: new http.Agent(pool), https: new https.Agent({...pool, ...tls})}
    this.http = got.extend({
      agent: this.agents,
      headers: requestHeaders(options),
      timeout: {request: this.timeoutMs},
      followRedirect: false,
      throwHttpErrors: false,
      retry: {
        limit: this.retryPolicy.retries,
        methods: ['GET', 'PUT', 'DELETE', 'POST'],
        calculateDelay: ({attemptCount, error}) => this.nextDelay(attemptOf(error.options.context), attemptCount, error),
      },
      // Set once here rather than per request: merging options is a large part of a request's cost.
      hooks: {
        beforeRequest: [
          (options) => {
            attemptOf(options.context).log.begin()
          },
        ],
      },
    })
  }

  /** The server's base URL, without a trailing slash. */
  get baseUrl(): string {
    return this.server.base
  }

  /** The URL of a map, from the slug the server gave it. */
  mapUrl(slug: string): string {
    return this.server.url(`/api/maps/${encodeURIComponent(slug)}/`)
  }

  /** The URL of an observer, from its map's URL and the slug the server gave it. */
  observerUrl(mapUrl: string, slug: string): string {
    return under(mapUrl, 'observers', encodeURIComponent(slug))
  }

  /** The version of the API the server speaks (`info.version` of its OpenAPI document). */
  async apiVersion(): Promise<string> {
    const url = this.server.url('/apispec_1.json')
    try {
      return (await this.getJson(url, (s, d) => s.ApiSpecSchema.safeParse(d))).info.version
    } catch (err) {
      // A server without the API description is not the server the contract describes.
      if (err instanceof HttpError && err.status < 500) {
        throw new ContractError(`GET ${url}`, `there is no API description (${err.status}): is this a Gridmap API server?`)
      }
      throw err
    }
  }

  /** The server's API version, checked to share the expected major version. */
  async checkVersion(expected = '1.0.0'): Promise<string> {
    const version = await this.apiVersion()
    const major = majorOf(version)
    if (major === undefined) {
      throw new ContractError(`GET ${this.server.url('/apispec_1.json')}`, `the API version "${version}" is not a version number`)
    }
    if (major !== majorOf(expected)) throw new VersionMismatchError(version, expected)
    return version
  }

  async listMaps(): Promise<RemoteMapSummary[]> {
    const listing = await this.getJson(this.server.url('/api/maps/'), (s, d) => s.ListingSchema.safeParse(d))
    return listing.maps.map((m) => ({name: m.name, slug: m.slug, width: m.width, height: m.height, url: this.mapUrl(m.slug)}))
  }

  async getMap(url: string): Promise<RemoteMap> {
    const map = await this.getJson(url, (s, d) => s.parseMap(d))
    return {
      name: map.name,
      slug: map.slug,
      width: map.width,
      height: map.height,
      url,
      observers: map.observers.map((o) => observerOf(o, this.observerUrl(url, o.slug))),
      obstacles: map.obstacles,
    }
  }

  async getObserver(url: string): Promise<RemoteObserverDetail> {
    const o = await this.getJson(url, (s, d) => s.ObserverSchema.safeParse(d))
    return {
      ...observerOf(o, url),
      mapName: o.map_name,
      mapSlug: o.map_slug,
      mapUrl: this.mapUrl(o.map_slug),
    }
  }

  async createMap(body: MapBody): Promise<Created> {
    return this.create(this.server.url('/api/maps/'), mapBody(body))
  }

  /** Changes a map's name and size; a new name gives it a new slug and URL. */
  async updateMap(url: string, body: MapBody): Promise<void> {
    await this.send('PUT', url, mapBody(body))
  }

  /** Deletes a map with its observers and obstacles. */
  async deleteMap(url: string): Promise<void> {
    await this.send('DELETE', url)
  }

  async createObserver(mapUrl: string, observer: Observer): Promise<Created> {
    return this.create(under(mapUrl, 'observers'), observerBody(observer))
  }

  /** Replaces an observer's fields; a null vision clears its limit. */
  async updateObserver(url: string, observer: Observer): Promise<void> {
    await this.send('PUT', url, observerBody(observer))
  }

  async deleteObserver(url: string): Promise<void> {
    await this.send('DELETE', url)
  }

  async createObstacle(mapUrl: string, p: Position): Promise<Created> {
    return this.create(under(mapUrl, 'obstacles'), {x: p.x, y: p.y})
  }

  async deleteObstacle(mapUrl: string, p: Position): Promise<void> {
    await this.send('DELETE', under(mapUrl, 'obstacles', String(p.x), String(p.y)))
  }

  /** The outage, once the server has stopped answering (see OutageWatch); from then on nothing more is sent. */
  outage(): Outage | undefined {
    return this.watch.outage()
  }

  /** Why this client sends nothing more, if it does not: halted, or the server stopped answering. */
  stopReason(): string | undefined {
    return this.noticeOutage()
  }

  /**
   * Halts once the server counts as gone: the requests still under way (but `except`, the
   * one whose failure showed it) wait on a server that will not answer, and are cut off.
   * Returns why nothing more is sent, if so.
   */
  private noticeOutage(except?: unknown): string | undefined {
    if (this.halted !== undefined) return this.halted
    const outage = this.watch.outage()
    if (outage === undefined) return undefined
    this.halted = describeOutage(outage)
    for (const request of this.underWay) if (request !== except) request.cancel()
    return this.halted
  }

  /**
   * Sends nothing more: requests not yet sent fail at once (NetworkError with `notSent`),
   * and those under way are cut off (a write cut off may have been carried out).
   */
  halt(reason: string): void {
    this.halted ??= reason
    for (const request of this.underWay) request.cancel()
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agents.http.destroy()
    this.agents.https.destroy()
  }

  private async getJson<T>(url: string, parse: (schemas: Schemas, data: unknown) => z.ZodSafeParseResult<T>): Promise<T> {
    const [answer, schemas] = await Promise.all([this.send('GET', url), loadSchemas()])
    const endpoint = `GET ${url}`
    let data: unknown
    try {
      data = JSON.parse(answer.body)
    } catch {
      const type = answer.headers['content-type'] ?? 'no content type'
      throw new ContractError(endpoint, `the body is not JSON (${type})`)
    }
    const parsed = parse(schemas, data)
    if (!parsed.success) throw new ContractError(endpoint, schemas.describeIssues(parsed.error))
    return parsed.data
  }

  /** POSTs a new resource; its URL comes from the Location header of the 201. */
  private async create(url: string, body: object): Promise<Created> {
    const answer = await this.send('POST', url, body)
    const endpoint = `POST ${url}`
    // The server says it did something: whatever is wrong with the answer, the write may stand.
    const written = {written: true}
    if (answer.status !== 201) throw new ContractError(endpoint, `expected 201 Created, got ${answer.status}`, written)
    const location = answer.headers.location
    if (!location) throw new ContractError(endpoint, 'the 201 Created answer has no Location header', written)
    const resolved = this.server.resolveLocation(location, url)
    if ('problem' in resolved) throw new ContractError(endpoint, resolved.problem, written)
    return {url: resolved.url}
  }

  /**
   * One request with its retries. Resolves with a 2xx answer; anything else becomes a
   * NetworkError, HttpError or ContractError naming the request.
   */
  private async send(method: Method, url: string, json?: object): Promise<Answer> {
    const endpoint = `${method} ${url}`
    if (!this.server.owns(url)) throw new ContractError(endpoint, `the URL is not on the server ${this.server.base}`)
    // A URL that changes when normalised holds "." or ".." segments: it would reach another resource than meant.
    if (new URL(url).href !== url) throw new ContractError(endpoint, 'the URL holds "." or ".." segments; it is not sent')
    const stop = this.stopReason()
    if (stop !== undefined) throw new NetworkError({method, url, attempts: 0}, {kind: 'stopped', reason: `not sent: ${stop}`, notSent: true})
    const log = new AttemptLog(method, url, this.onRequest, this.watch)
    return this.attempts({method, url, log, write: method !== 'GET' && method !== 'HEAD', mayHaveApplied: false}, json)
  }

  /** The attempts of one request: got's, with its retries, then ours where got could not go on. */
  private async attempts(attempt: Attempt, json: object | undefined): Promise<Answer> {
    const {method, url, log} = attempt
    const endpoint = `${method} ${url}`
    // Retries left to got: all of them at first; fewer once some were spent (see below).
    const retry = log.attempts === 0 ? undefined : {retry: {limit: Math.max(0, this.retryPolicy.retries - log.attempts)}}
    const pending = this.http(url, {method, json, context: {attempt}, ...retry})
    attempt.request = pending
    this.underWay.add(pending)
    let tooLarge = false
    // on() returns the request itself, which is awaited below.
    void pending.on('downloadProgress', ({transferred, total}) => {
      if (!tooLarge && Math.max(transferred, total ?? 0) > this.maxResponseBytes) {
        tooLarge = true
        pending.cancel()
      }
    })

    let response: Response<string>
    try {
      response = await pending
    } catch (err) {
      if (tooLarge && err instanceof CancelError) {
        log.end({error: 'answer too large'}, true)
        throw new ContractError(endpoint, `the answer is larger than ${this.maxResponseBytes} bytes`)
      }
      if (this.halted !== undefined && err instanceof CancelError) {
        log.end({error: 'cut off'})
        // The request may have reached the server before it was cut off.
        throw new NetworkError({method, url, attempts: log.attempts}, {kind: 'stopped', reason: `cut off: ${this.halted}`, ambiguous: attempt.write})
      }
      // A network error got did not wrap (newer Node versions raise some of their own, such as ERR_SOCKET_CLOSED_BEFORE_CONNECTION) is one all the same.
      if (!(err instanceof RequestError) && typeof (err as {code?: unknown}).code !== 'string') throw err
      // Node 24.20 and later end a refused connection with a second error that got passes on
      // unwrapped, giving up the retry it had planned (and cancelling it: nothing was sent).
      // The attempts go on here, by the same policy, as they would after any refusal.
      if (!(err instanceof RequestError) && (err as {code: string}).code === 'ERR_SOCKET_CLOSED_BEFORE_CONNECTION') {
        const delay = this.strayRetryDelay(attempt, (err as {code: string}).code)
        if (delay > 0) {
          this.underWay.delete(pending)
          await new Promise((resolve) => setTimeout(resolve, delay))
          if (this.stopReason() === undefined) return this.attempts(attempt, json)
        }
      }
      const failure = this.connectionFailure(err as {code?: string; message: string}, url)
      log.end({error: failure.reason})
      this.noticeOutage(pending)
      throw new NetworkError({method, url, attempts: log.attempts}, {...failure, ambiguous: attempt.write && (attempt.mayHaveApplied || !failure.neverSent)})
    } finally {
      this.underWay.delete(pending)
    }
    log.end({status: response.statusCode})
    this.noticeOutage(pending)

    const {statusCode: status, headers, body} = response
    if (status >= 300 && status < 400) {
      // A redirect means a wrong URL (308 for a missing trailing slash) or a server elsewhere.
      const location = headers.location
      const target = location === undefined ? 'without a Location' : `to ${location}`
      const elsewhere = location !== undefined && !this.server.sameOrigin(location, url) ? ', another server' : ''
      throw new ContractError(endpoint, `it redirects (${status}) ${target}${elsewhere}; redirects are not followed`)
    }
    if (status >= 400) {
      throw new HttpError({method, url, attempts: log.attempts}, status, response.statusMessage ?? '', await serverMessage(body), attempt.mayHaveApplied)
    }
    return {status, headers, body}
  }

  /** The backoff after an attempt that failed outside got (with `code`), or 0 to give up. */
  private strayRetryDelay(attempt: Attempt, code: string): number {
    attempt.log.end({error: this.connectionFailure({code, message: code}, attempt.url).reason})
    if (this.noticeOutage(attempt.request) !== undefined) return 0
    return retryDelay(this.retryPolicy, {method: attempt.method, attempt: attempt.log.attempts, errorCode: code})
  }

  /** got's retry decision for a failed attempt: the backoff, or 0 to give up. */
  private nextDelay(attempt: Attempt, attemptCount: number, error: RequestError): number {
    // An error status, or a failure of the connection (possibly midway through an answer).
    const answer = error instanceof HTTPError ? error.response : undefined
    const status = answer?.statusCode
    const failure = status === undefined ? this.connectionFailure(error, attempt.url) : undefined
    // Whether an attempt of this write may have been carried out although it failed.
    if (attempt.write && (failure ? !failure.neverSent : GATEWAY_GAVE_UP.has(status!))) attempt.mayHaveApplied = true
    attempt.log.end(failure ? {error: failure.reason} : {status})
    // Once the server counts as gone (or the run is halted), the retries end too.
    if (this.noticeOutage(attempt.request) !== undefined) return 0
    const retryAfter = answer?.headers['retry-after']
    return retryDelay(this.retryPolicy, {method: attempt.method, attempt: attemptCount, status, errorCode: error.code, retryAfter})
  }

  private connectionFailure(err: {code?: string; message: string}, url: string) {
    return describeConnectionFailure(err, {host: new URL(url).hostname, timeoutMs: this.timeoutMs, proxy: this.proxy})
  }
}

/** One request across its attempts, as the hooks see it (through got's `context`). */
interface Attempt {
  method: Method
  url: string
  log: AttemptLog
  write: boolean
  /** Whether an attempt of this write may have been carried out although it failed. */
  mayHaveApplied: boolean
  /** The request, once made: it is not cut off when its own failure shows the server is gone. */
  request?: {cancel(): void}
}

function attemptOf(context: Record<string, unknown>): Attempt {
  return context.attempt as Attempt
}

/** Reports each attempt of one request once, with its duration. */
class AttemptLog {
  attempts = 0
  private started = 0
  private reported = 0

  constructor(
    private readonly method: string,
    private readonly url: string,
    private readonly listener: ((event: RequestEvent) => void) | undefined,
    private readonly watch: OutageWatch,
  ) {}

  begin(): void {
    this.attempts++
    this.started = performance.now()
  }

  /** `answered`: an answer came although the attempt failed (one too large to read). */
  end(outcome: {status?: number; error?: string}, answered = false): void {
    if (this.reported === this.attempts) return
    this.reported = this.attempts
    if (outcome.status !== undefined && outcome.status >= 500) this.watch.failed(`an answer of ${outcome.status}`)
    else if (outcome.status !== undefined || answered) this.watch.answered()
    else this.watch.failed(outcome.error ?? 'no answer')
    this.listener?.({
      method: this.method,
      url: this.url,
      ...outcome,
      durationMs: performance.now() - this.started,
      attempt: this.attempts,
    })
  }
}

function mapBody(body: MapBody): MapBody {
  return {name: body.name, width: body.width, height: body.height}
}

/** The API refuses `"vision": null`: no limit is said by leaving the key out. */
function observerBody(o: Observer): {name: string; x: number; y: number; vision?: number} {
  return o.vision === null ? {name: o.name, x: o.x, y: o.y} : {name: o.name, x: o.x, y: o.y, vision: o.vision}
}

/** The `message` of a JSON error body, on one line and kept short. */
async function serverMessage(body: string): Promise<string | undefined> {
  let data: unknown
  try {
    data = JSON.parse(body)
  } catch {
    return undefined
  }
  const parsed = (await loadSchemas()).ErrorBodySchema.safeParse(data)
  if (!parsed.success) return undefined
  const line = parsed.data.message.replace(/\s+/g, ' ').trim()
  return line.length > 300 ? `${line.slice(0, 299)}…` : line || undefined
}

function majorOf(version: string): number | undefined {
  const match = /^v?(\d+)(\.|$)/.exec(version.trim())
  return match ? Number(match[1]) : undefined
}

function requestHeaders(options: APIDataSourceOptions): Record<string, string> {
  const headers: Record<string, string> = {
    'user-agent': options.userAgent ?? DEFAULTS.userAgent,
    accept: 'application/json',
    ...options.headers,
  }
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
  for (const [name, value] of Object.entries(headers)) {
    try {
      http.validateHeaderName(name)
      http.validateHeaderValue(name, value)
    } catch {
      // The value may be a secret: name the header only.
      const which = name === 'authorization' && options.token !== undefined ? 'the token' : `the header "${name}"`
      throw new ApiOptionError(`${which} holds characters not allowed in an HTTP header`)
    }
  }
  return headers
}

function positive(name: string, value: number, integer = false): number {
  if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new ApiOptionError(`${name} must be a positive ${integer ? 'integer' : 'number'}, not ${value}`)
  }
  return value
}

function nonNegativeInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new ApiOptionError(`${name} must be a whole number >= 0, not ${value}`)
  return value
}

/** An observer as the rest of gridsync sees it, from an answer's observer entry. */
function observerOf(o: {name: string; slug: string; x: number; y: number; vision: number | null}, url: string): RemoteObserver {
  return {name: o.name, slug: o.slug, x: o.x, y: o.y, vision: o.vision, url}
}
