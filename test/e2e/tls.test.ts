/**
 * TLS through the CLI, against the sandbox serving HTTPS with the test certificates
 * (test/fixtures/tls): every bad certificate ends the run with exit 6 and a message
 * that says what is wrong with it; verification is on unless --insecure says
 * otherwise, loudly; mutual TLS works with --client-cert and --client-key.
 */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {after, before, describe, it} from 'node:test'

import {type Sandbox, startSandbox} from '../../src/sandbox/index.js'
import {runCli} from '../helpers/cli.js'
import {SMALL} from '../helpers/maps.js'

const TLS = fileURLToPath(new URL('../fixtures/tls/', import.meta.url))
const file = (name: string) => path.join(TLS, name)
const pem = (name: string) => readFileSync(file(name))
const CA = ['--ca-cert', file('ca.pem')]

describe('TLS through the CLI', () => {
  let dir: string
  const sandboxes: Sandbox[] = []
  const serve = async (cert: string, extra: {ca?: Buffer; requestCert?: boolean} = {}): Promise<Sandbox> => {
    const sandbox = await startSandbox({tls: {key: pem(`${cert}-key.pem`), cert: pem(`${cert}.pem`), ...extra}})
    sandboxes.push(sandbox)
    return sandbox
  }

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gridsync-tls-'))
    await writeFile(path.join(dir, 'small.map'), SMALL)
  })
  after(async () => {
    for (const s of sandboxes) await s.close()
    await rm(dir, {recursive: true, force: true})
  })

  const push = (sandbox: Sandbox, args: string[], env?: NodeJS.ProcessEnv) => runCli(['push', '--server', sandbox.url, '--maps-dir', dir, ...args], {env})

  const refusals: Array<[string, string, RegExp]> = [
    ['an expired certificate', 'expired', /certificate has expired/],
    ['a certificate for another host', 'wrong-host', /certificate does not match the host name 127\.0\.0\.1/],
    ['a self-signed certificate', 'self-signed', /certificate is self-signed and not trusted/],
  ]
  for (const [what, cert, reason] of refusals) {
    it(`refuses ${what} with exit 6, saying which, in both output modes`, async () => {
      const sandbox = await serve(cert)
      const human = await push(sandbox, CA)
      assert.equal(human.code, 6, human.stdout + human.stderr)
      assert.match(human.stderr, new RegExp(`^Error: GET ${sandbox.url}/apispec_1\\.json failed: .*${reason.source}`, 'm'))
      const json = await push(sandbox, [...CA, '--json'])
      assert.equal(json.code, 6)
      const doc = JSON.parse(json.stdout)
      assert.equal(doc.exitCode, 6)
      assert.match(doc.error.message, reason)
      assert.equal(sandbox.stats.total, 0, 'no request was answered')
    })
  }

  it('keeps verifying when the environment asks Node to stop (NODE_TLS_REJECT_UNAUTHORIZED=0)', async () => {
    const sandbox = await serve('self-signed')
    const r = await push(sandbox, [], {NODE_TLS_REJECT_UNAUTHORIZED: '0'})
    assert.equal(r.code, 6, r.stdout + r.stderr)
    assert.match(r.stderr, /self-signed and not trusted/)
    assert.equal(sandbox.stats.total, 0)
  })

  it('accepts any certificate only with --insecure, saying so on every run', async () => {
    const sandbox = await serve('expired')
    for (const args of [['--insecure'], ['--insecure', '--json']]) {
      // eslint-disable-next-line no-await-in-loop
      const r = await push(sandbox, args)
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assert.match(r.stderr, /TLS certificate verification is OFF \(--insecure\)/)
    }
  })

  describe('mutual TLS', () => {
    let sandbox: Sandbox
    before(async () => {
      sandbox = await serve('server', {ca: pem('ca.pem'), requestCert: true})
    })

    it('syncs with --client-cert and --client-key', async () => {
      const r = await push(sandbox, [...CA, '--client-cert', file('client.pem'), '--client-key', file('client-key.pem')])
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assert.equal(sandbox.snapshot().length, 1)
    })

    it('takes them from GRIDSYNC_CLIENT_CERT and GRIDSYNC_CLIENT_KEY', async () => {
      const r = await push(sandbox, [], {GRIDSYNC_CA_CERT: file('ca.pem'), GRIDSYNC_CLIENT_CERT: file('client.pem'), GRIDSYNC_CLIENT_KEY: file('client-key.pem')})
      assert.equal(r.code, 0, r.stdout + r.stderr)
    })

    it('fails with exit 6 without them, saying the server wants a client certificate', async () => {
      const r = await push(sandbox, CA)
      assert.equal(r.code, 6, r.stdout + r.stderr)
      // TLS 1.3 refuses the client after the handshake: the alert usually arrives first.
      assert.match(r.stderr, /requires a client certificate|closed the connection without answering|connection was reset/)
    })

    it('refuses a certificate without its key, and a key that is not one, before connecting (exit 2)', async () => {
      const alone = await push(sandbox, [...CA, '--client-cert', file('client.pem')])
      assert.equal(alone.code, 2, alone.stdout + alone.stderr)
      const wrong = await push(sandbox, [...CA, '--client-cert', file('client.pem'), '--client-key', file('ca.pem')])
      assert.equal(wrong.code, 2, wrong.stdout + wrong.stderr)
      assert.match(wrong.stderr, /client certificate or key is not usable/)
      assert.doesNotMatch(wrong.stderr, /BEGIN/, 'no key material in the message')
    })
  })
})
