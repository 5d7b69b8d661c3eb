/**
 * The TLS settings of the HTTPS agent: a custom CA is trusted in addition to the
 * system's roots, never instead of them; a client certificate enables mutual TLS.
 */
import {X509Certificate} from 'node:crypto'
import tls from 'node:tls'

import {ApiOptionError} from './errors.js'

export interface TlsSettings {
  /** PEM CA certificate(s) to trust besides the system roots. */
  caCert?: string | Buffer
  /** PEM client certificate and key, for mutual TLS. */
  clientCert?: string | Buffer
  clientKey?: string | Buffer
  /** Accept any server certificate. */
  insecure?: boolean
}

export interface TlsAgentOptions {
  ca?: Array<string | Buffer>
  cert?: string | Buffer
  key?: string | Buffer
  rejectUnauthorized: boolean
}

/** Agent options for the settings, checked now so a bad file fails before any request. */
export function tlsAgentOptions(settings: TlsSettings): TlsAgentOptions {
  const options: TlsAgentOptions = {rejectUnauthorized: !settings.insecure}
  if (settings.caCert !== undefined) {
    checkCertificates(settings.caCert)
    options.ca = [...tls.rootCertificates, settings.caCert]
  }
  if ((settings.clientCert === undefined) !== (settings.clientKey === undefined)) {
    throw new ApiOptionError('mutual TLS needs both a client certificate and its key')
  }
  if (settings.clientCert !== undefined && settings.clientKey !== undefined) {
    options.cert = settings.clientCert
    options.key = settings.clientKey
    check({cert: settings.clientCert, key: settings.clientKey}, 'the client certificate or key is not usable')
  }
  return options
}

/** Node ignores what it cannot parse in a CA list, so the list is parsed here. */
function checkCertificates(pem: string | Buffer): void {
  const blocks = String(pem).match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g)
  if (!blocks) throw new ApiOptionError('the CA certificate holds no PEM certificate (-----BEGIN CERTIFICATE-----)')
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block)
    } catch (err) {
      throw new ApiOptionError(`certificate ${i + 1} of the CA certificate is unreadable (${(err as Error).message})`)
    }
  }
}

function check(options: tls.SecureContextOptions, problem: string): void {
  try {
    tls.createSecureContext(options)
  } catch (err) {
    throw new ApiOptionError(`${problem} (${(err as Error).message})`)
  }
}
