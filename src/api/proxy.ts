/**
 * The HTTP(S) proxy of the environment, as curl and most tools read it: HTTPS_PROXY for
 * https:// servers, HTTP_PROXY for http:// ones, ALL_PROXY for both, each also in lower
 * case (which wins), and NO_PROXY (hosts, domain suffixes, `host:port`, `*`) naming the
 * servers reached directly. Requests go through the proxy in a CONNECT tunnel, so TLS
 * (the CA added to the system roots, the client certificate, verification) is between
 * gridsync and the server, as without a proxy. The proxy libraries load only when a
 * proxy applies.
 */
import type http from 'node:http'
import type https from 'node:https'

import type {TlsAgentOptions} from './tls.js'

/** Where the requests to one server go. */
export interface ProxyRoute {
  /** The proxy URL, credentials included (never shown). */
  url: string
  /** The proxy URL as it may be shown: credentials replaced by `(hidden)`. */
  shown: string
  /** The variable that named it, as set: `HTTPS_PROXY`, `https_proxy`, `ALL_PROXY`... */
  variable: string
}

/** What the environment says about reaching a server: through a proxy, directly because of NO_PROXY, or directly because no proxy is set. */
export type ProxyDecision = {kind: 'proxy'; route: ProxyRoute} | {kind: 'bypass'; variable: string; proxyVariable: string} | {kind: 'none'}

const PROXY_VARIABLES = ['https_proxy', 'http_proxy', 'all_proxy'] as const

/** The variable of `name` the environment sets, lower case first as the proxy libraries read them. */
function setVariable(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const variable of [name.toLowerCase(), name.toUpperCase()]) if (env[variable]) return variable
  return undefined
}

/** The variable a server's scheme would take its proxy from, if any is set. */
function proxyVariableFor(scheme: string, env: NodeJS.ProcessEnv): string | undefined {
  return setVariable(`${scheme}_proxy`, env) ?? setVariable('all_proxy', env)
}

/** Whether any proxy variable is set at all (checked before loading anything). */
export function anyProxySet(env: NodeJS.ProcessEnv = process.env): boolean {
  return PROXY_VARIABLES.some((name) => setVariable(name, env) !== undefined)
}

/**
 * How requests to `server` travel, from the process environment. The NO_PROXY matching
 * is proxy-from-env's, the library axios and others use.
 */
export async function proxyDecision(server: string): Promise<ProxyDecision> {
  const env = process.env
  if (!anyProxySet(env)) return {kind: 'none'}
  let scheme: string
  try {
    scheme = new URL(server).protocol.replace(/:$/, '')
  } catch {
    return {kind: 'none'}
  }

  const proxyVariable = proxyVariableFor(scheme, env)
  if (proxyVariable === undefined) return {kind: 'none'}
  const {getProxyForUrl} = await import('proxy-from-env')
  const url = getProxyForUrl(server)
  if (!url) return {kind: 'bypass', variable: setVariable('no_proxy', env) ?? 'NO_PROXY', proxyVariable}
  return {kind: 'proxy', route: {url, shown: shownProxy(url), variable: proxyVariable}}
}

/** A proxy URL with its user name and password replaced by `(hidden)`. */
export function shownProxy(proxy: string): string {
  let url: URL
  try {
    url = new URL(proxy)
  } catch {
    return '(not a URL)'
  }
  if (url.username === '' && url.password === '') return url.origin
  return `${url.protocol}//(hidden)@${url.host}`
}

/** The password (and user name) of the proxy URLs the environment sets, to be kept out of every output. */
export function proxyCredentials(env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = []
  for (const name of PROXY_VARIABLES) {
    for (const variable of [name, name.toUpperCase()]) {
      const value = env[variable]
      if (!value) continue
      try {
        const url = new URL(value.includes('://') ? value : `http://${value}`)
        if (url.password) out.push(url.password, decodeURIComponent(url.password))
      } catch {
        // Not a URL: nothing to take from it.
      }
    }
  }
  return out
}

export interface AgentPair {
  http: http.Agent
  https: https.Agent
}

/** Makes the agents of a client from its pool limits and TLS settings. */
export type AgentFactory = (pool: http.AgentOptions, tls: TlsAgentOptions) => AgentPair

/** A proxy as the API client takes it: how to show it, and how to make agents that use it. */
export interface ClientProxy {
  shown: string
  agents: AgentFactory
}

/**
 * The proxy for the API client: keep-alive agents that reach the server through `route`
 * in CONNECT tunnels (hpagent), with the pool's limits and, for HTTPS, the TLS settings
 * applied to the server, end to end through the tunnel.
 */
export async function clientProxy(route: ProxyRoute): Promise<ClientProxy> {
  const {HttpProxyAgent, HttpsProxyAgent} = await import('hpagent')
  const url = new URL(route.url.includes('://') ? route.url : `http://${route.url}`)
  return {
    shown: route.shown,
    agents: (pool, tls) => ({
      http: new HttpProxyAgent({...pool, proxy: url}),
      https: new HttpsProxyAgent({...pool, ...tls, proxy: url}),
    }),
  }
}
