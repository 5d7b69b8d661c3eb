import {readFile} from 'node:fs/promises'

import * as Flags from '@oclif/core/flags'

import {APIDataSource, type RequestEvent} from '../api/index.js'
import {anyProxySet, type ClientProxy} from '../api/proxy.js'
import {ExitCode, GridsyncError} from '../exit-codes.js'
import {SANDBOX_SERVER, withEnv} from './flags.js'

export {SANDBOX_SERVER} from './flags.js'

/** Flags for reaching the server, shared by diff, push and pull. */
export const connectionFlags = withEnv({
  server: Flags.string({
    summary: `Base URL of the Gridmap API server, or "${SANDBOX_SERVER}" for an empty in-process sandbox server (a rehearsal).`,
    env: 'GRIDSYNC_SERVER',
    required: true,
    helpGroup: 'SERVER',
  }),
  timeout: Flags.integer({summary: 'Seconds to wait for each request.', default: 30, min: 1, helpGroup: 'SERVER'}),
  concurrency: Flags.integer({summary: 'Requests in flight at once.', default: 4, min: 1, max: 64, helpGroup: 'SERVER'}),
  retries: Flags.integer({summary: 'Retries of a request that failed in a way a retry can fix.', default: 3, min: 0, max: 10, helpGroup: 'SERVER'}),
  'ca-cert': Flags.file({summary: 'PEM file of a CA to trust in addition to the system ones.', env: 'GRIDSYNC_CA_CERT', exists: true, helpGroup: 'SERVER'}),
  'client-cert': Flags.file({summary: 'PEM client certificate for mutual TLS.', env: 'GRIDSYNC_CLIENT_CERT', exists: true, dependsOn: ['client-key'], helpGroup: 'SERVER'}),
  'client-key': Flags.file({summary: 'PEM private key of the client certificate.', env: 'GRIDSYNC_CLIENT_KEY', exists: true, dependsOn: ['client-cert'], helpGroup: 'SERVER'}),
  insecure: Flags.boolean({summary: 'Do not verify the server certificate (dangerous; says so on every run).', helpGroup: 'SERVER'}),
  token: Flags.string({summary: 'Bearer token sent with every request (prefer the environment variable).', env: 'GRIDSYNC_TOKEN', helpGroup: 'SERVER'}),
  header: Flags.string({summary: 'Extra request header "Name: value"; repeatable. Never printed.', multiple: true, helpGroup: 'SERVER'}),
})

export interface ConnectionSettings {
  server: string
  timeout: number
  concurrency: number
  retries: number
  'ca-cert'?: string
  'client-cert'?: string
  'client-key'?: string
  insecure: boolean
  token?: string
  header?: string[]
  /** Hears every HTTP attempt (the request trace of --verbose --verbose). */
  onRequest?: (event: RequestEvent) => void
}

export interface Connection {
  client: APIDataSource
  /** The server URL as shown to the user and keyed in the journal. */
  server: string
  warnings: string[]
  close(): Promise<void>
}

/** Builds the API client from the flags; starts the sandbox for `--server sandbox`. `onRequest` hears of every HTTP attempt. */
export async function connect(s: ConnectionSettings, onRequest?: (event: RequestEvent) => void): Promise<Connection> {
  const warnings: string[] = []
  // Checked before a sandbox is started, so that a bad header cannot leave it running.
  const headers = parseHeaders(s.header ?? [])
  let server = s.server
  let close = async (): Promise<void> => {}
  if (server === SANDBOX_SERVER) {
    const {startSandbox} = await import('../sandbox/index.js')
    const sandbox = await startSandbox()
    server = sandbox.url
    close = () => sandbox.close()
    warnings.push(`Using an empty in-process sandbox server at ${server}; it is gone when this run ends.`)
  }

  try {
    return await makeConnection(s, server, headers, warnings, close, onRequest)
  } catch (error) {
    await close()
    throw error
  }
}

async function makeConnection(
  s: ConnectionSettings,
  server: string,
  headers: Record<string, string>,
  warnings: string[],
  close: () => Promise<void>,
  onRequest: ((event: RequestEvent) => void) | undefined,
): Promise<Connection> {
  // The in-process sandbox is reached directly; any other server as the environment's proxy settings say.
  const proxy = server === s.server ? await proxyFor(server) : undefined

  if (s.insecure) warnings.push('TLS certificate verification is OFF (--insecure): anyone on the network path can read and change this sync.')
  const client = new APIDataSource({
    server,
    timeoutSeconds: s.timeout,
    concurrency: s.concurrency,
    retries: s.retries,
    caCert: s['ca-cert'] ? await readFile(s['ca-cert']) : undefined,
    clientCert: s['client-cert'] ? await readFile(s['client-cert']) : undefined,
    clientKey: s['client-key'] ? await readFile(s['client-key']) : undefined,
    insecure: s.insecure,
    token: s.token,
    headers,
    proxy,
    onRequest: both(s.onRequest, onRequest),
  })
  return {
    client,
    server,
    warnings,
    async close() {
      client.close()
      await close()
    },
  }
}

/** One listener that tells both, either of which may be missing. */
function both(a?: (event: RequestEvent) => void, b?: (event: RequestEvent) => void): ((event: RequestEvent) => void) | undefined {
  if (!a || !b) return a ?? b
  return (event) => {
    a(event)
    b(event)
  }
}

function parseHeaders(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    const name = colon > 0 ? line.slice(0, colon).trim() : ''
    if (!/^[\w-]+$/.test(name)) {
      const problem = colon < 0 ? 'it has no colon' : 'the part before the colon is not a header name (letters, digits, - and _ only)'
      throw new GridsyncError(`--header must be a name, a colon and a value, such as "X-Team: maps"; ${problem}`, ExitCode.USAGE)
    }
    headers[name] = line.slice(colon + 1).trim()
  }

  return headers
}

/** The proxy the environment sets for `server`, if one applies (the proxy libraries load only then). */
async function proxyFor(server: string): Promise<ClientProxy | undefined> {
  if (!anyProxySet()) return undefined
  const {clientProxy, proxyDecision} = await import('../api/proxy.js')
  const decision = await proxyDecision(server)
  return decision.kind === 'proxy' ? clientProxy(decision.route) : undefined
}
