/**
 * What can go wrong when talking to a Gridmap server, as typed errors that carry their
 * exit code. Messages are one line and name the request; they never hold header values
 * (the bearer token included) and never wrap the transport's error objects, which do.
 */
import {ExitCode, GridsyncError} from '../exit-codes.js'

/** Where a request failed below HTTP; `stopped`: gridsync itself stopped sending (the server stopped answering, or the run was interrupted). */
export type NetworkFailureKind = 'refused' | 'reset' | 'dns' | 'timeout' | 'tls' | 'other' | 'stopped'

export interface FailedRequest {
  method: string
  /** The request URL, without credentials. */
  url: string
  /** How many HTTP attempts were made. */
  attempts: number
}

function attemptsNote(attempts: number): string {
  return attempts > 1 ? ` (after ${attempts} attempts)` : ''
}

function doubtNote(ambiguous: boolean): string {
  return ambiguous ? '; the server may or may not have applied it' : ''
}

/** The server could not be reached or the connection failed: exit 6. */
export class NetworkError extends GridsyncError {
  readonly method: string
  readonly url: string
  readonly attempts: number
  readonly kind: NetworkFailureKind
  /** The system or TLS error code, e.g. ECONNRESET or CERT_HAS_EXPIRED. */
  readonly systemCode: string | undefined
  /**
   * A write that may or may not have been applied: the request (or an earlier attempt
   * of it) may have reached the server before the connection failed. Settle it by
   * reading before writing again.
   */
  readonly ambiguous: boolean
  /** The request was never sent: gridsync had stopped sending before it. */
  readonly notSent: boolean

  constructor(request: FailedRequest, failure: {kind: NetworkFailureKind; reason: string; systemCode?: string; ambiguous?: boolean; notSent?: boolean}) {
    const ambiguous = failure.ambiguous ?? false
    super(`${request.method} ${request.url} failed: ${failure.reason}${attemptsNote(request.attempts)}${doubtNote(ambiguous)}`, ExitCode.NETWORK, 'NETWORK_ERROR')
    this.name = 'NetworkError'
    this.method = request.method
    this.url = request.url
    this.attempts = request.attempts
    this.kind = failure.kind
    this.systemCode = failure.systemCode
    this.ambiguous = ambiguous
    this.notSent = failure.notSent ?? false
  }
}

/** The server answered with an error status. Exit 4: one operation failed; the caller decides. */
export class HttpError extends GridsyncError {
  readonly method: string
  readonly url: string
  readonly attempts: number
  readonly status: number
  /** The `message` of a JSON error body, if the server sent one. */
  readonly serverMessage: string | undefined
  /**
   * A write that may or may not have been applied: a gateway gave up on it (502, 504),
   * or an earlier attempt of it was cut off after it may have reached the server.
   * Settle it by reading before writing again.
   */
  readonly ambiguous: boolean

  /** `mayHaveApplied`: an earlier attempt of this write may have been carried out. */
  constructor(request: FailedRequest, status: number, statusText: string, serverMessage?: string, mayHaveApplied = false) {
    const said = serverMessage ? `: ${serverMessage}` : ''
    const write = request.method !== 'GET' && request.method !== 'HEAD'
    const ambiguous = write && (mayHaveApplied || status === 502 || status === 504)
    super(
      `${request.method} ${request.url} answered ${status}${statusText ? ` ${statusText}` : ''}${said}` + `${attemptsNote(request.attempts)}${doubtNote(ambiguous)}`,
      ExitCode.OPERATIONS_FAILED,
      'HTTP_ERROR',
    )
    this.name = 'HttpError'
    this.method = request.method
    this.url = request.url
    this.attempts = request.attempts
    this.status = status
    this.serverMessage = serverMessage
    this.ambiguous = ambiguous
  }
}

/** An answer that breaks the API contract: exit 7. */
export class ContractError extends GridsyncError {
  /** The request whose answer broke the contract, e.g. "GET http://host/api/maps/". */
  readonly endpoint: string
  /**
   * The server answered a write with success (2xx), but in a way that breaks the
   * contract (no Location, one on another server): it says the write was carried out.
   */
  readonly written: boolean

  constructor(endpoint: string, problem: string, options: {written?: boolean} = {}) {
    super(`the answer to ${endpoint} breaks the API contract: ${problem}`, ExitCode.CONTRACT, 'CONTRACT_ERROR')
    this.name = 'ContractError'
    this.endpoint = endpoint
    this.written = options.written ?? false
  }
}

/** The server speaks an API version gridsync does not: exit 7. */
export class VersionMismatchError extends GridsyncError {
  constructor(
    readonly serverVersion: string,
    readonly expectedVersion: string,
  ) {
    super(`the server speaks Gridmap API ${serverVersion} but gridsync speaks ${expectedVersion}: the major versions differ`, ExitCode.CONTRACT, 'VERSION_MISMATCH')
    this.name = 'VersionMismatchError'
  }
}

/** A client option that cannot work (bad server URL, unreadable certificate...): exit 2. */
export class ApiOptionError extends GridsyncError {
  constructor(message: string) {
    super(message, ExitCode.USAGE, 'INVALID_API_OPTION')
    this.name = 'ApiOptionError'
  }
}

/** True when a write may have been applied although it failed: read before writing again. */
export function isAmbiguousWrite(err: unknown): boolean {
  return (err instanceof NetworkError || err instanceof HttpError) && err.ambiguous
}
