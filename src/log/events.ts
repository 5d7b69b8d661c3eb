/**
 * The events of a run's log, as data. Every event of one type has the same keys in the
 * same order; a value that does not apply is null, never left out.
 *
 * This module knows the events, not the commands' results: the presenters
 * (src/presenters/) turn a plan, an operation, a verdict or a pulled map into one of
 * these, so the words below are the events' own vocabulary. A result type that grows
 * a value the events do not name fails to compile where its event is built.
 */

export type Level = 'info' | 'warn' | 'error'

export const LOG_FORMATS = ['text', 'json'] as const
export type LogFormat = (typeof LOG_FORMATS)[number]

/** What a push does to a map, an observer or an obstacle. */
export type OperationKind = 'createMap' | 'updateMap' | 'deleteMap' | 'createObserver' | 'updateObserver' | 'deleteObserver' | 'createObstacle' | 'deleteObstacle'
/** How an operation ended. */
export type OperationOutcome = 'applied' | 'reconciled' | 'unconfirmed' | 'failed' | 'skipped'
/** What is known of a map after a run. */
export type Verdict = 'confirmed' | 'unconfirmed' | 'not-applied' | 'incomplete' | 'conflict'
/** What a pull did with a map. */
export type PullStatus = 'written' | 'present' | 'skipped' | 'failed' | 'would-write'

/** The counts of a plan, by map, observer and obstacle. */
export interface PlanCounts {
  maps: {create: number; update: number; delete: number; unchanged: number; rebuild: number; rename: number}
  observers: {create: number; update: number; delete: number}
  obstacles: {create: number; delete: number}
}

export interface RunStartEvent {
  event: 'run-start'
  version: string
  /** The server as configured, credentials removed; null for commands that use none. */
  server: string | null
  mapsDir: string | null
  pid: number
}

export interface PlanEvent {
  event: 'plan'
  summary: PlanCounts
  operations: number
  invalidFiles: number
  conflicts: number
}

export interface OperationEvent {
  event: 'operation'
  id: number
  kind: OperationKind
  map: string
  /** The observer's name or the obstacle's "x,y"; null for operations on the map itself. */
  object: string | null
  outcome: OperationOutcome
  /** HTTP status of the final answer, when there was one. */
  status: number | null
  detail: string | null
  durationMs: number
}

export interface VerifyEvent {
  event: 'verify'
  map: string
  verdict: Verdict
  differences: string[]
  /** Why the verdict is not `confirmed`, and what to do; null when it is. */
  advice: string | null
  /** The kind of evidence behind the verdict (read, writes, gone, ...), null when none was taken. */
  evidence: string | null
  /** When that evidence was taken (ISO 8601). */
  evidenceAt: string | null
  /** Until when the server's answers cannot show gridsync's writes, for evidence `writes` (ISO 8601). */
  until: string | null
}

export interface InvalidFileEvent {
  event: 'invalid-file'
  file: string
  /** The map's name, when the file is readable that far. */
  map: string | null
  /** Each problem as `path:line:column: message`. */
  problems: string[]
}

/** A map changed on the server by someone else since gridsync wrote it, so left alone. */
export interface ConflictEvent {
  event: 'conflict'
  map: string
  detail: string
}

export interface PullMapEvent {
  event: 'pull-map'
  name: string
  status: PullStatus
  file: string | null
  backup: string | null
  reason: string | null
}

export interface WarningEvent {
  event: 'warning'
  message: string
}

export interface ErrorEvent {
  event: 'error'
  message: string
  exitCode: number
}

/** What a run's last event reports: its tallies, and the same in words. */
export interface RunTotals {
  /** The command's tallies, e.g. {applied, failed, ...} for push. */
  counts: Record<string, number>
  /** The tallies in words, e.g. `76 applied, 0 failed, 0 skipped; 4 maps verified`. */
  summary: string
}

export interface RunEndEvent {
  event: 'run-end'
  exitCode: number
  durationMs: number
  /** The command's tallies, e.g. {applied, failed, ...} for push. */
  counts: Record<string, number>
  /** The tallies in words, e.g. `76 applied, 0 failed, 0 skipped; 4 maps verified`. */
  summary: string
}

/** One HTTP attempt, in the request trace (`--verbose --verbose`, DEBUG=gridsync:http). Never a header. */
export interface RequestTraceEvent {
  event: 'request'
  method: string
  url: string
  /** The answer's status; null when there was none. */
  status: number | null
  /** Why there was no usable answer; null when there was one. */
  error: string | null
  durationMs: number
  /** 1 for the first attempt, 2 for the first retry... */
  attempt: number
}

export type EventBody =
  RunStartEvent | PlanEvent | OperationEvent | VerifyEvent | InvalidFileEvent | ConflictEvent | PullMapEvent | WarningEvent | ErrorEvent | RunEndEvent | RequestTraceEvent

export type EventName = EventBody['event']

/** The keys every event starts with, in this order, followed by its own. */
export interface EventHead {
  time: string
  level: Level
  command: string
}

export type LogEvent = EventHead & EventBody

/** Exit codes that end a run without any problem: success, and `diff --exit-code` finding changes. */
const UNEVENTFUL_EXITS = new Set([0, 3])
/** Push applied, but reading back could not confirm it. */
const NOT_VERIFIED_EXIT = 8

/** How serious an event is: `warn` and `error` are the problems `--quiet` still shows. */
export function levelOf(e: EventBody): Level {
  switch (e.event) {
    case 'operation':
      if (e.outcome === 'failed') return 'error'
      return e.outcome === 'applied' || e.outcome === 'reconciled' ? 'info' : 'warn'
    case 'verify':
      if (e.verdict === 'confirmed') return 'info'
      return e.verdict === 'unconfirmed' ? 'warn' : 'error'
    case 'pull-map':
      if (e.status === 'failed') return 'error'
      return e.status === 'skipped' ? 'warn' : 'info'
    case 'invalid-file':
    case 'conflict':
    case 'error':
      return 'error'
    case 'warning':
      return 'warn'
    case 'run-end':
      if (UNEVENTFUL_EXITS.has(e.exitCode)) return 'info'
      return e.exitCode === NOT_VERIFIED_EXIT ? 'warn' : 'error'
    case 'run-start':
    case 'plan':
    case 'request':
      // A request that failed is told by its operation or error event; the trace only shows it.
      return 'info'
  }
}

export function runStartEvent(ctx: {version: string; server?: string; mapsDir?: string; pid: number}): RunStartEvent {
  return {
    event: 'run-start',
    version: ctx.version,
    server: ctx.server === undefined ? null : withoutCredentials(ctx.server),
    mapsDir: ctx.mapsDir ?? null,
    pid: ctx.pid,
  }
}

/** A server URL with any user name and password taken out; other values as they are. */
export function withoutCredentials(server: string): string {
  let url: URL
  try {
    url = new URL(server)
  } catch {
    return server
  }
  if (url.username === '' && url.password === '') return server
  url.username = ''
  url.password = ''
  return url.href
}

export function requestTraceEvent(r: {method: string; url: string; status?: number; error?: string; durationMs: number; attempt: number}): RequestTraceEvent {
  return {
    event: 'request',
    method: r.method,
    url: withoutCredentials(r.url),
    status: r.status ?? null,
    error: r.error ?? null,
    durationMs: Math.round(r.durationMs * 10) / 10,
    attempt: r.attempt,
  }
}
