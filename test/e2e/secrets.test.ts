/**
 * Secrets (the bearer token, extra header values, the client key) never appear in what
 * gridsync prints, text or JSON, in its errors, or in the files it keeps, even when the
 * server echoes them back in error messages, names and headers.
 */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {after, before, describe, it} from 'node:test'

import {startSandbox} from '../../src/sandbox/index.js'
import {type CliResult, runCli} from '../helpers/cli.js'
import {SMALL} from '../helpers/maps.js'

const TOKEN = 'tok-7f3c9e-VERY-SECRET'
const KEY = 'key-2b8d41-ALSO-SECRET'
const TLS = fileURLToPath(new URL('../fixtures/tls/', import.meta.url))

/** Every file under a directory, with its content. */
async function filesUnder(dir: string): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = []
  for (const entry of await readdir(dir, {withFileTypes: true, recursive: true})) {
    if (entry.isFile()) out.push([path.join(entry.parentPath, entry.name), await readFile(path.join(entry.parentPath, entry.name), 'utf8')])
  }
  return out
}

function assertNoSecret(r: CliResult, what: string): void {
  for (const secret of [TOKEN, KEY]) {
    assert.ok(!r.stdout.includes(secret), `${what}: a secret on stdout:\n${r.stdout}`)
    assert.ok(!r.stderr.includes(secret), `${what}: a secret on stderr:\n${r.stderr}`)
  }
}

describe('secrets', () => {
  let server: Server
  let url: string
  let dir: string
  const seen: string[] = []

  before(async () => {
    // A server that echoes the credentials it is sent in every place it can.
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume()
      const echo = `${req.headers.authorization} ${req.headers['x-api-key']}`
      seen.push(echo)
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, {'content-type': 'application/json', ...headers})
        res.end(JSON.stringify(body))
      }
      if (req.url === '/apispec_1.json') return json(200, {info: {version: '1.0.0'}})
      if (req.url === '/api/maps/' && req.method === 'GET') return json(200, {maps: [{name: `Echo ${echo}`, slug: 'echo', width: 1, height: 1}]})
      if (req.url === '/api/maps/' && req.method === 'POST') {
        return req.headers['x-mode'] === 'location'
          ? res.writeHead(201, {location: `http://elsewhere.invalid/${encodeURIComponent(echo)}/`}).end()
          : json(401, {message: `credentials refused: ${echo}`})
      }
      json(403, {message: `forbidden for ${echo}`})
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    dir = await mkdtemp(path.join(tmpdir(), 'gridsync-secrets-'))
    await writeFile(path.join(dir, 'small.map'), SMALL)
  })
  after(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await rm(dir, {recursive: true, force: true})
  })

  const ways: Array<[string, string[], NodeJS.ProcessEnv]> = [
    ['--token', ['--token', TOKEN, '--header', `X-Api-Key: ${KEY}`], {}],
    ['GRIDSYNC_TOKEN', ['--header', `X-Api-Key:${KEY}`], {GRIDSYNC_TOKEN: TOKEN}],
  ]
  for (const [how, credentials, env] of ways) {
    it(`keeps the token (${how}) and header values out of every output, though the server echoes them`, async () => {
      const runs: Array<[string, string[]]> = [
        ['diff', ['diff']],
        ['diff --json', ['diff', '--json']],
        ['push', ['push', '--retries', '0']],
        ['push --json', ['push', '--json', '--retries', '0']],
        ['push, Location elsewhere', ['push', '--header', 'X-Mode: location']],
        ['push --json, Location elsewhere', ['push', '--json', '--header', 'X-Mode: location']],
        ['pull --dry-run --json', ['pull', '--dry-run', '--json']],
      ]
      for (const [what, args] of runs) {
        // eslint-disable-next-line no-await-in-loop
        const r = await runCli([...args, ...credentials, '--server', url, '--maps-dir', dir], {env})
        assert.ok([4, 6, 7, 8, 0].includes(r.code), `${what}: exit ${r.code}\n${r.stdout}${r.stderr}`)
        assertNoSecret(r, what)
        if (args.includes('--json')) JSON.parse(r.stdout)
      }

      // The server did get them, and did echo them: the redaction is gridsync's doing.
      assert.ok(seen.some((s) => s.includes(TOKEN) && s.includes(KEY)))
      // Nor are they kept in the journal or the lock (a map the server names after them is its data: untouched here).
      for (const [file, text] of await filesUnder(dir)) {
        for (const secret of [TOKEN, KEY]) assert.ok(!text.includes(secret), `a secret in ${file}`)
      }
    })
  }

  it('shows what the server said around the secret', async () => {
    const fresh = await mkdtemp(path.join(tmpdir(), 'gridsync-secrets-'))
    try {
      await writeFile(path.join(fresh, 'small.map'), SMALL)
      const r = await runCli(['push', '--json', '--retries', '0', '--token', TOKEN, '--server', url, '--maps-dir', fresh])
      const detail = JSON.parse(r.stdout).apply.results.find((x: {kind: string}) => x.kind === 'createMap').detail
      assert.match(detail, /credentials refused: Bearer \[redacted\] undefined/)
    } finally {
      await rm(fresh, {recursive: true, force: true})
    }
  })

  it('keeps them out of network errors, and the client key out of everything', async () => {
    const sandbox = await startSandbox({tls: {key: readFileSync(path.join(TLS, 'server-key.pem')), cert: readFileSync(path.join(TLS, 'server.pem'))}})
    const keyBody = readFileSync(path.join(TLS, 'client-key.pem'), 'utf8').split('\n')[1]!
    try {
      const tls = ['--client-cert', path.join(TLS, 'client.pem'), '--client-key', path.join(TLS, 'client-key.pem'), '--token', TOKEN]
      for (const args of [[], ['--json']]) {
        // An untrusted certificate, then a port where nothing listens.
        // eslint-disable-next-line no-await-in-loop
        const untrusted = await runCli(['push', ...args, ...tls, '--server', sandbox.url, '--maps-dir', dir])
        assert.equal(untrusted.code, 6)
        assertNoSecret(untrusted, 'TLS failure')
        assert.ok(!(untrusted.stdout + untrusted.stderr).includes(keyBody), 'no key material')
        // eslint-disable-next-line no-await-in-loop
        const refused = await runCli(['push', ...args, '--token', TOKEN, '--header', `X-Api-Key: ${KEY}`, '--retries', '0', '--server', 'http://127.0.0.1:1', '--maps-dir', dir])
        assert.equal(refused.code, 6)
        assertNoSecret(refused, 'refused connection')
      }
    } finally {
      await sandbox.close()
    }
  })
})
