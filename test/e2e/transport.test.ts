import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {createServer, type Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {after, before, describe, it} from 'node:test'

import {type Sandbox, startSandbox} from '../../src/sandbox/index.js'
import {runCli} from '../helpers/cli.js'
import {SMALL} from '../helpers/maps.js'

const TLS = fileURLToPath(new URL('../fixtures/tls/', import.meta.url))
const pem = (name: string) => readFileSync(path.join(TLS, name))

describe('push over TLS, and servers that break the contract', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gridsync-transport-'))
    await writeFile(path.join(dir, 'small.map'), SMALL)
  })
  after(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  describe('HTTPS with a custom CA', () => {
    let sandbox: Sandbox
    before(async () => {
      sandbox = await startSandbox({tls: {key: pem('server-key.pem'), cert: pem('server.pem')}})
    })
    after(async () => {
      await sandbox.close()
    })

    it('trusts the server with --ca-cert and syncs', async () => {
      const r = await runCli(['push', '--server', sandbox.url, '--maps-dir', dir, '--ca-cert', path.join(TLS, 'ca.pem')])
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assert.equal(sandbox.snapshot().length, 1)
    })

    it('refuses an untrusted certificate with exit 6 and says why, in both output modes', async () => {
      const human = await runCli(['diff', '--server', sandbox.url, '--maps-dir', dir])
      assert.equal(human.code, 6, human.stdout + human.stderr)
      assert.match(human.stderr, /certificate/i)
      const json = await runCli(['diff', '--server', sandbox.url, '--maps-dir', dir, '--json'])
      assert.equal(json.code, 6)
      assert.equal(JSON.parse(json.stdout).exitCode, 6)
    })

    it('accepts it with --insecure, warning loudly', async () => {
      const r = await runCli(['diff', '--server', sandbox.url, '--maps-dir', dir, '--insecure'])
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assert.match(r.stderr, /verification is OFF/)
    })
  })

  describe('a server that breaks the contract', () => {
    let server: Server
    let url: string
    before(async () => {
      server = createServer((req, res) => {
        res.setHeader('Content-Type', 'application/json')
        if (req.url === '/apispec_1.json') res.end(JSON.stringify({openapi: '3.0.3', info: {version: '1.0.0'}}))
        else if (req.url === '/api/maps/') res.end(JSON.stringify({maps: [{name: 'Small', slug: 'small', width: 'wide', height: 3}]}))
        else res.writeHead(404).end('<html>not found</html>')
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    })
    after(() => {
      server.close()
    })

    it('exits 7 naming the endpoint, never writes, never prints a stack', async () => {
      const r = await runCli(['push', '--server', url, '--maps-dir', dir, '--token', 'sekrit-token-123'])
      assert.equal(r.code, 7, r.stdout + r.stderr)
      assert.match(r.stderr, /\/api\/maps\//)
      assert.doesNotMatch(r.stderr, /\n\s+at /)
      assert.doesNotMatch(r.stdout + r.stderr, /sekrit-token-123/)
    })
  })
})
