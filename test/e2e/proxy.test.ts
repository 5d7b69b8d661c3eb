/**
 * Proxies through the CLI: HTTPS_PROXY, HTTP_PROXY and NO_PROXY (upper and lower case)
 * are honoured, with a test proxy on 127.0.0.1 counting the tunnels it opens. Through
 * the tunnel, TLS is end to end: the CA of --ca-cert is trusted besides the system
 * roots, the client certificate is presented, and a bad certificate is still refused.
 */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {after, before, beforeEach, describe, it} from 'node:test'

import {type Sandbox, startSandbox} from '../../src/sandbox/index.js'
import {runCli} from '../helpers/cli.js'
import {SMALL} from '../helpers/maps.js'
import {startProxy, type TestProxy} from '../helpers/proxy.js'
import {useTempDir} from '../helpers/temp-dir.js'

const TLS = fileURLToPath(new URL('../fixtures/tls/', import.meta.url))
const file = (name: string) => path.join(TLS, name)
const pem = (name: string) => readFileSync(file(name))
const MUTUAL_TLS = ['--ca-cert', file('ca.pem'), '--client-cert', file('client.pem'), '--client-key', file('client-key.pem')]

describe('proxies through the CLI', () => {
  let dir: string
  let proxy: TestProxy
  let https: Sandbox
  let plain: Sandbox
  const hostOf = (sandbox: Sandbox) => new URL(sandbox.url).host

  // A maps directory of its own for each test: its journal would remember the last one's writes.
  useTempDir('gridsync-proxy-', (created) => {
    dir = created
  })
  before(async () => {
    proxy = await startProxy()
    // The server asks for a client certificate signed by the test CA.
    https = await startSandbox({tls: {key: pem('server-key.pem'), cert: pem('server.pem'), ca: pem('ca.pem'), requestCert: true}})
    plain = await startSandbox()
  })
  beforeEach(async () => {
    await writeFile(path.join(dir, 'small.map'), SMALL)
    proxy.tunnels.length = 0
    https.reset()
    plain.reset()
  })
  after(async () => {
    await Promise.all([proxy.close(), https.close(), plain.close()])
  })

  const push = (sandbox: Sandbox, env: NodeJS.ProcessEnv, args: string[] = []) => runCli(['push', '--server', sandbox.url, '--maps-dir', dir, ...args], {env})

  it('pushes to an HTTPS server through HTTPS_PROXY, with the CA and the client certificate applied through the tunnel', async () => {
    const r = await push(https, {HTTPS_PROXY: proxy.url}, MUTUAL_TLS)
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.ok(proxy.tunnels.length > 0, 'the requests went through the proxy')
    assert.deepEqual(new Set(proxy.tunnels), new Set([hostOf(https)]))
    assert.ok(https.stats.total > 0)
    assert.equal(https.snapshot().length, 1)
  })

  it('still refuses a certificate it does not trust through the proxy (exit 6), and trusts none without --ca-cert', async () => {
    const r = await push(https, {https_proxy: proxy.url}, MUTUAL_TLS.slice(2))
    assert.equal(r.code, 6, r.stdout + r.stderr)
    assert.match(r.stderr, /not trusted/)
    assert.ok(proxy.tunnels.length > 0)
    assert.equal(https.stats.total, 0)
  })

  it('pushes to a plain HTTP server through http_proxy (lower case)', async () => {
    const r = await push(plain, {http_proxy: proxy.url, HTTPS_PROXY: 'http://127.0.0.1:9'})
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.ok(proxy.tunnels.length > 0)
    assert.deepEqual(new Set(proxy.tunnels), new Set([hostOf(plain)]))
    assert.equal(plain.snapshot().length, 1)
  })

  for (const noProxy of ['127.0.0.1', `localhost,127.0.0.1:${'PORT'}`, '*']) {
    it(`goes directly to a server NO_PROXY names (${noProxy})`, async () => {
      const value = noProxy.replace('PORT', String(new URL(plain.url).port))
      const r = await push(plain, {HTTP_PROXY: proxy.url, NO_PROXY: value})
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assert.equal(proxy.tunnels.length, 0, 'nothing went through the proxy')
      assert.equal(plain.snapshot().length, 1)
    })
  }

  it('goes through the proxy when NO_PROXY names another port or host', async () => {
    const r = await push(plain, {HTTP_PROXY: proxy.url, no_proxy: '127.0.0.1:1,example.org'})
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.ok(proxy.tunnels.length > 0)
  })

  it('ends with exit 6 naming the proxy when it cannot be reached', async () => {
    const closed = await startProxy()
    await closed.close()
    const r = await push(plain, {HTTP_PROXY: closed.url, GRIDSYNC_RETRIES: '0'})
    assert.equal(r.code, 6, r.stdout + r.stderr)
    assert.match(r.stderr, new RegExp(`cannot reach the proxy http://127\\.0\\.0\\.1:${closed.port}: connection refused`))
    assert.equal(plain.stats.total, 0)
  })

  describe('with credentials', () => {
    let guarded: TestProxy
    before(async () => {
      guarded = await startProxy({credentials: 'maps:s3cret-proxy-pass'})
    })
    after(() => guarded.close())
    const withCredentials = () => guarded.url.replace('http://', 'http://maps:s3cret-proxy-pass@')

    it('sends them, and shows the proxy in config with them hidden', async () => {
      const r = await push(plain, {HTTP_PROXY: withCredentials()}, ['--json'])
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assert.ok(guarded.tunnels.length > 0)

      const text = await runCli(['config', '--server', plain.url, '--maps-dir', dir], {env: {HTTP_PROXY: withCredentials()}})
      assert.equal(text.code, 0, text.stderr)
      assert.match(text.stdout, new RegExp(`^Proxy: +http://\\(hidden\\)@127\\.0\\.0\\.1:${guarded.port} \\(from HTTP_PROXY\\)$`, 'm'))
      const json = await runCli(['config', '--server', plain.url, '--maps-dir', dir, '--json'], {env: {HTTP_PROXY: withCredentials()}})
      assert.deepEqual(JSON.parse(json.stdout).proxy, {url: `http://(hidden)@127.0.0.1:${guarded.port}`, variable: 'HTTP_PROXY', bypassedBy: null})
      for (const out of [r.stdout, r.stderr, text.stdout, json.stdout]) assert.doesNotMatch(out, /s3cret-proxy-pass/)
    })

    it('is refused by the proxy without them: exit 6, saying so', async () => {
      const r = await push(plain, {HTTP_PROXY: guarded.url, GRIDSYNC_RETRIES: '0'})
      assert.equal(r.code, 6, r.stdout + r.stderr)
      assert.match(r.stderr, /the proxy http:\/\/127\.0\.0\.1:\d+ refused to open a tunnel to 127\.0\.0\.1 \(HTTP 407\)/)
      assert.ok(guarded.refused > 0)
      assert.equal(plain.stats.total, 0)
    })
  })

  it('config says when NO_PROXY sends the server past the proxy, and when no proxy is set', async () => {
    const bypass = await runCli(['config', '--server', plain.url, '--json'], {env: {HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1'}})
    assert.deepEqual(JSON.parse(bypass.stdout).proxy, {url: null, variable: 'HTTP_PROXY', bypassedBy: 'NO_PROXY'})
    const none = await runCli(['config', '--server', plain.url])
    assert.match(none.stdout, /^Proxy: +none$/m)
  })
})
