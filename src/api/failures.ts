/**
 * A failed connection, told in words: which of refused, reset, DNS, timeout or TLS it
 * was, and whether the request can have reached the server.
 */
import type {NetworkFailureKind} from './errors.js'

export interface ConnectionFailure {
  kind: NetworkFailureKind
  reason: string
  systemCode?: string
  /** True when the request certainly never reached the server (no connection was made). */
  neverSent: boolean
}

export interface FailureContext {
  /** The host name (or address) connected to. */
  host: string
  timeoutMs: number
  /** The proxy the request went through (as shown), if any. */
  proxy?: string
}

type Describe = (ctx: FailureContext, message: string) => string

const UNKNOWN_CA: Describe = () => "the server's TLS certificate is not trusted: it is signed by an unknown certificate authority"

/** TLS verification failures: the handshake failed, nothing was sent. */
const TLS_REASONS: Readonly<Record<string, Describe>> = {
  CERT_HAS_EXPIRED: () => "the server's TLS certificate has expired",
  CERT_NOT_YET_VALID: () => "the server's TLS certificate is not valid yet",
  ERR_TLS_CERT_ALTNAME_INVALID: (ctx) => `the server's TLS certificate does not match the host name ${ctx.host}`,
  DEPTH_ZERO_SELF_SIGNED_CERT: () => "the server's TLS certificate is self-signed and not trusted",
  SELF_SIGNED_CERT_IN_CHAIN: () => "the server's TLS certificate is not trusted: its chain ends in a self-signed certificate of an unknown certificate authority",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNKNOWN_CA,
  UNABLE_TO_GET_ISSUER_CERT: UNKNOWN_CA,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNKNOWN_CA,
  CERT_REVOKED: () => "the server's TLS certificate has been revoked",
  ERR_SSL_WRONG_VERSION_NUMBER: () => 'the TLS handshake failed: the server does not seem to speak TLS on this port',
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: () => 'the server requires a client certificate (mutual TLS)',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: () => 'the server rejected the client certificate',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: () => 'the server rejected the client certificate: it does not trust its issuer',
}

const SOCKET_REASONS: Readonly<Record<string, {kind: NetworkFailureKind; neverSent: boolean; describe: Describe}>> = {
  ECONNREFUSED: {kind: 'refused', neverSent: true, describe: () => 'connection refused'},
  ERR_SOCKET_CLOSED_BEFORE_CONNECTION: {kind: 'refused', neverSent: true, describe: () => 'the connection closed before it was established'},
  ENOTFOUND: {kind: 'dns', neverSent: true, describe: (ctx) => `the host name ${ctx.host} cannot be resolved (DNS)`},
  EAI_AGAIN: {
    kind: 'dns',
    neverSent: true,
    describe: (ctx) => `the host name ${ctx.host} cannot be resolved now (temporary DNS failure)`,
  },
  ENETUNREACH: {kind: 'other', neverSent: true, describe: () => 'the network is unreachable'},
  EHOSTUNREACH: {kind: 'other', neverSent: true, describe: (ctx) => `the host ${ctx.host} is unreachable`},
  ECONNRESET: {
    kind: 'reset',
    neverSent: false,
    describe: (_ctx, message) => (/hang up/i.test(message) ? 'the server closed the connection without answering' : 'the connection was reset'),
  },
  ECONNABORTED: {kind: 'reset', neverSent: false, describe: () => 'the connection was aborted'},
  EPIPE: {kind: 'reset', neverSent: false, describe: () => 'the connection broke while the request was being sent'},
  ETIMEDOUT: {
    kind: 'timeout',
    neverSent: false,
    describe: (ctx) => `no answer within ${ctx.timeoutMs / 1000} s (timeout)`,
  },
}

export function describeConnectionFailure(err: {code?: string; message: string}, ctx: FailureContext): ConnectionFailure {
  const code = err.code
  const message = oneLine(err.message)
  if (ctx.proxy !== undefined) {
    // hpagent's words for a tunnel the proxy would not open: nothing reached the server.
    const refused = /^Bad response: (\d+)$/.exec(message)
    if (refused) return {kind: 'other', reason: `the proxy ${ctx.proxy} refused to open a tunnel to ${ctx.host} (HTTP ${refused[1]})`, neverSent: true}
    if (message === 'Proxy timeout') return {kind: 'timeout', reason: `the proxy ${ctx.proxy} did not answer`, neverSent: true}
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      const failure = SOCKET_REASONS[code]!
      return {kind: failure.kind, reason: `cannot reach the proxy ${ctx.proxy}: ${failure.describe({...ctx, host: hostOf(ctx.proxy)}, message)}`, systemCode: code, neverSent: true}
    }
  }
  const tls = code === undefined ? undefined : TLS_REASONS[code]
  if (tls) return {kind: 'tls', reason: tls(ctx, message), systemCode: code, neverSent: true}
  if (code === 'EPROTO' || (code !== undefined && /^ERR_(SSL|TLS)_/.test(code))) {
    const reason = /wrong version number/i.test(message) ? TLS_REASONS.ERR_SSL_WRONG_VERSION_NUMBER!(ctx, message) : `TLS failure: ${message}`
    return {kind: 'tls', reason, systemCode: code, neverSent: true}
  }
  const socket = code === undefined ? undefined : SOCKET_REASONS[code]
  if (socket) return {kind: socket.kind, reason: socket.describe(ctx, message), systemCode: code, neverSent: socket.neverSent}
  return {kind: 'other', reason: code ? `${message} (${code})` : message, systemCode: code, neverSent: false}
}

/** The first line of a system message, without OpenSSL's location suffix, kept short. */
function oneLine(message: string): string {
  const line = (message.split('\n', 1)[0] ?? '').replace(/:[^:\s]*\.c:\d+:?$/, '').trim()
  return line.length > 200 ? `${line.slice(0, 199)}…` : line
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname
  } catch {
    return url
  }
}
