/**
 * When to try a request again, and after how long. Pure functions: the client feeds
 * them each failed attempt; 0 means give up.
 *
 * GET, PUT and DELETE are idempotent: they are retried on connection failures and on
 * 429/5xx answers. A POST is retried only when nothing was written: on an answer that
 * says so (429, 500, 503), or when no connection could be made (refused, unreachable),
 * so the request never left. After a broken connection it may have been applied, and
 * sending it again could create a duplicate.
 */

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number
  /** Backoff of the first retry; it doubles each time. */
  baseMs: number
  /** Longest backoff. */
  capMs: number
  /** Longest wait a Retry-After header can ask for. */
  maxRetryAfterMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {retries: 3, baseMs: 200, capMs: 10_000, maxRetryAfterMs: 60_000}

export interface FailedAttempt {
  method: string
  /** 1 for the first attempt. */
  attempt: number
  /** The status of the answer, when there was one. */
  status?: number
  /** The system error code when the connection failed, e.g. ECONNRESET. */
  errorCode?: string
  /** The Retry-After header of the answer. */
  retryAfter?: string
}

const IDEMPOTENT_RETRY_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504])
/** Answers that mean the server wrote nothing. */
const POST_RETRY_STATUSES: ReadonlySet<number> = new Set([429, 500, 503])
/** Connection failures before any byte of the request was sent (Node 24.20 and later end a refused connection with the last one). */
const NEVER_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_SOCKET_CLOSED_BEFORE_CONNECTION'])
const RETRY_ERROR_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', ...NEVER_SENT_CODES])

export function isRetryable(failed: Pick<FailedAttempt, 'method' | 'status' | 'errorCode'>): boolean {
  if (failed.method === 'POST') {
    if (failed.status !== undefined) return POST_RETRY_STATUSES.has(failed.status)
    return failed.errorCode !== undefined && NEVER_SENT_CODES.has(failed.errorCode)
  }
  if (failed.status !== undefined) return IDEMPOTENT_RETRY_STATUSES.has(failed.status)
  return failed.errorCode !== undefined && RETRY_ERROR_CODES.has(failed.errorCode)
}

/** Milliseconds to wait before the next attempt, or 0 to give up. Never between 0 and 1. */
export function retryDelay(policy: RetryPolicy, failed: FailedAttempt, random: () => number = Math.random, now: number = Date.now()): number {
  if (failed.attempt > policy.retries || !isRetryable(failed)) return 0
  const asked = failed.retryAfter === undefined ? undefined : parseRetryAfter(failed.retryAfter, now)
  const delay = asked === undefined ? backoffDelay(failed.attempt, policy, random) : Math.min(asked, policy.maxRetryAfterMs)
  return Math.max(1, delay)
}

/** Exponential backoff with jitter: between half and all of min(cap, base * 2^(attempt-1)). */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, 'baseMs' | 'capMs'>, random: () => number): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1))
  return ceiling / 2 + (random() * ceiling) / 2
}

/** A Retry-After header (delay in seconds, or an HTTP date) in milliseconds from now. */
export function parseRetryAfter(value: string, now: number): number | undefined {
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  // An HTTP date names its day or month; this keeps lenient date parsing away from "1.5".
  if (!/[a-z]/i.test(text)) return undefined
  const date = Date.parse(text)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}
