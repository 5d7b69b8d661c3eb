import assert from 'node:assert/strict'
import {afterEach, beforeEach, describe, it} from 'node:test'

import {describeConnectionFailure} from '../../../src/api/failures.js'
import {anyProxySet, proxyCredentials, proxyDecision, shownProxy} from '../../../src/api/proxy.js'
import {secretsOf} from '../../../src/cli/secrets.js'

const VARIABLES = ['http_proxy', 'https_proxy', 'all_proxy', 'no_proxy'].flatMap((name) => [name, name.toUpperCase()])

describe('the proxy of the environment', () => {
  let saved: Record<string, string | undefined>
  beforeEach(() => {
    saved = Object.fromEntries(VARIABLES.map((v) => [v, process.env[v]]))
    for (const v of VARIABLES) delete process.env[v]
  })
  afterEach(() => {
    for (const [v, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[v]
      else process.env[v] = value
    }
  })

  it('is none when no variable is set', async () => {
    assert.equal(anyProxySet(), false)
    assert.deepEqual(await proxyDecision('https://maps.example.org'), {kind: 'none'})
  })

  it('takes HTTPS_PROXY for https:// servers and HTTP_PROXY for http:// ones, lower case first', async () => {
    process.env.HTTPS_PROXY = 'http://upper.example:3128'
    process.env.https_proxy = 'http://lower.example:3128'
    process.env.HTTP_PROXY = 'http://plain.example:8080'
    const secure = await proxyDecision('https://maps.example.org')
    assert.deepEqual(secure, {kind: 'proxy', route: {url: 'http://lower.example:3128', shown: 'http://lower.example:3128', variable: 'https_proxy'}})
    const plain = await proxyDecision('http://maps.example.org')
    assert.equal(plain.kind === 'proxy' && plain.route.variable, 'HTTP_PROXY')
  })

  it('falls back to ALL_PROXY, and is none for a scheme no variable covers', async () => {
    process.env.HTTP_PROXY = 'http://plain.example:8080'
    assert.deepEqual(await proxyDecision('https://maps.example.org'), {kind: 'none'})
    process.env.ALL_PROXY = 'http://all.example:1080'
    const all = await proxyDecision('https://maps.example.org')
    assert.equal(all.kind === 'proxy' && all.route.variable, 'ALL_PROXY')
  })

  it('goes directly to what NO_PROXY names: hosts, domain suffixes, host:port', async () => {
    process.env.HTTPS_PROXY = 'http://proxy.example:3128'
    process.env.NO_PROXY = 'internal.example, .corp.example, maps.example.org:8443'
    for (const server of ['https://internal.example', 'https://a.corp.example/api', 'https://maps.example.org:8443']) {
      // eslint-disable-next-line no-await-in-loop
      assert.deepEqual(await proxyDecision(server), {kind: 'bypass', variable: 'NO_PROXY', proxyVariable: 'HTTPS_PROXY'}, server)
    }
    assert.equal((await proxyDecision('https://maps.example.org')).kind, 'proxy')
  })

  it('hides the credentials of a proxy URL, and counts its password among the secrets', () => {
    assert.equal(shownProxy('http://user:pa%40ss@proxy.example:3128/'), 'http://(hidden)@proxy.example:3128')
    assert.equal(shownProxy('http://proxy.example:3128/'), 'http://proxy.example:3128')
    process.env.https_proxy = 'http://user:pa%40ss@proxy.example:3128/'
    assert.deepEqual(proxyCredentials(), ['pa%40ss', 'pa@ss'])
    assert.ok(secretsOf(undefined).includes('pa@ss'))
  })
})

describe('failures through a proxy', () => {
  const ctx = {host: 'maps.example.org', timeoutMs: 30_000, proxy: 'http://proxy.example:3128'}
  it('names the proxy when it refuses the tunnel or cannot be reached; nothing was sent', () => {
    assert.deepEqual(describeConnectionFailure({message: 'Bad response: 407', code: 'ERR_GOT_REQUEST_ERROR'}, ctx), {
      kind: 'other',
      reason: 'the proxy http://proxy.example:3128 refused to open a tunnel to maps.example.org (HTTP 407)',
      neverSent: true,
    })
    const refused = describeConnectionFailure({message: 'connect ECONNREFUSED', code: 'ECONNREFUSED'}, ctx)
    assert.equal(refused.reason, 'cannot reach the proxy http://proxy.example:3128: connection refused')
    assert.equal(refused.neverSent, true)
    const dns = describeConnectionFailure({message: 'getaddrinfo ENOTFOUND', code: 'ENOTFOUND'}, ctx)
    assert.equal(dns.reason, 'cannot reach the proxy http://proxy.example:3128: the host name proxy.example cannot be resolved (DNS)')
  })

  it('leaves other failures as they are', () => {
    assert.equal(describeConnectionFailure({message: 'x', code: 'CERT_HAS_EXPIRED'}, ctx).kind, 'tls')
  })
})
