/**
 * A hostile server: tiny node:http servers that answer what a test crafts (huge and
 * deeply nested bodies, wrong types, redirects and Locations pointing elsewhere, names
 * and slugs made to climb out of the maps directory). gridsync must end with a clear
 * error and its documented exit code, never a crash, write nothing outside the maps
 * directory, and send nothing to any host but the configured server: a second server,
 * the one the answers point to, counts every request that reaches it.
 */
import assert from 'node:assert/strict'
import {mkdir, mkdtemp, readdir, rm, writeFile} from 'node:fs/promises'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {after, afterEach, before, beforeEach, describe, it} from 'node:test'

import {runCli, type CliResult} from '../helpers/cli.js'
import {SMALL} from '../helpers/maps.js'

type Handler = (req: IncomingMessage, res: ServerResponse) => void

interface Listening {
  server: Server
  url: string
  /** "METHOD path" of every request received. */
  hits: string[]
}

async function listen(handle: (req: IncomingMessage, res: ServerResponse, hits: string[]) => void): Promise<Listening> {
  const hits: string[] = []
  const server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`)
    req.resume()
    req.on('end', () => handle(req, res, hits))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits}
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers})
  res.end(text)
}

const SPEC = {openapi: '3.0.3', info: {version: '1.0.0'}}
const SMALL_MAP = {name: 'Small', slug: 'small', width: 3, height: 2, observers: [], obstacles: []}

function deep(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth)
}

describe('a hostile server', () => {
  let elsewhere: Listening
  let hostile: Listening
  /** What the hostile server answers; the default is an empty Gridmap server. */
  let handler: Handler
  let parent: string
  let dir: string

  before(async () => {
    // A complete, willing API: were gridsync to follow anything there, it would succeed.
    elsewhere = await listen((req, res) => {
      if (req.url === '/apispec_1.json') json(res, 200, SPEC)
      else if (req.method === 'GET') json(res, 200, req.url === '/api/maps/' ? {maps: [{...SMALL_MAP}]} : SMALL_MAP)
      else res.writeHead(201, {location: '/api/maps/small/'}).end()
    })
    hostile = await listen((req, res) => handler(req, res))
  })
  after(async () => {
    for (const l of [hostile, elsewhere]) {
      l.server.closeAllConnections()
      await new Promise((resolve) => l.server.close(resolve))
    }
  })
  beforeEach(async () => {
    handler = emptyServer
    hostile.hits.length = 0
    parent = await mkdtemp(path.join(tmpdir(), 'gridsync-hostile-'))
    dir = path.join(parent, 'maps')
    await mkdir(dir)
  })
  afterEach(async () => {
    assert.deepEqual(elsewhere.hits, [], 'no request reached another host')
    // Nothing outside the maps directory: the parent holds the maps directory alone.
    assert.deepEqual(await readdir(parent), ['maps'])
    await rm(parent, {recursive: true, force: true})
  })

  const emptyServer: Handler = (req, res) => {
    if (req.url === '/apispec_1.json') json(res, 200, SPEC)
    else if (req.url === '/api/maps/' && req.method === 'GET') json(res, 200, {maps: []})
    else res.writeHead(404, {'content-type': 'text/html'}).end('<h1>Not Found</h1>')
  }

  /** The default server, with these paths answered otherwise. */
  const answering =
    (routes: Record<string, Handler>): Handler =>
    (req, res) => {
      const route = routes[`${req.method} ${req.url}`] ?? routes[req.url ?? '']
      if (route) route(req, res)
      else emptyServer(req, res)
    }

  const cli = (...args: string[]) => runCli([...args, '--server', hostile.url, '--maps-dir', dir])

  const assertCleanFailure = (r: CliResult, code: number, message: RegExp): void => {
    assert.equal(r.code, code, r.stdout + r.stderr)
    assert.match(r.stderr, message)
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace')
    assert.equal(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('Error:')).length,
      1,
      'one error line',
    )
  }

  describe('redirects and Locations pointing to another host', () => {
    for (const status of [301, 302, 307, 308]) {
      it(`refuses a ${status} redirect of the map listing (exit 7) and follows nothing`, async () => {
        handler = answering({'/api/maps/': (_req, res) => res.writeHead(status, {location: `${elsewhere.url}/api/maps/`}).end()})
        const r = await cli('diff')
        assertCleanFailure(r, 7, new RegExp(`redirects \\(${status}\\) to ${elsewhere.url}/api/maps/, another server; redirects are not followed`))
      })
    }

    it('refuses a redirect of the API description', async () => {
      handler = answering({'/apispec_1.json': (_req, res) => res.writeHead(302, {location: `${elsewhere.url}/apispec_1.json`}).end()})
      assertCleanFailure(await cli('push'), 7, /apispec_1\.json breaks the API contract: it redirects \(302\)/)
    })

    for (const location of ['{elsewhere}/api/maps/small/', '//{host}/api/maps/small/', 'https://{host}/api/maps/small/']) {
      it(`takes a create answered with Location ${location} as unconfirmed, and follows nothing`, async () => {
        await writeFile(path.join(dir, 'small.map'), SMALL)
        const target = location.replace('{elsewhere}', elsewhere.url).replace('{host}', new URL(elsewhere.url).host)
        handler = answering({'POST /api/maps/': (_req, res) => res.writeHead(201, {location: target}).end()})
        const r = await cli('push', '--json')
        assert.equal(r.code, 4, r.stdout + r.stderr)
        const doc = JSON.parse(r.stdout)
        const create = doc.apply.results.find((x: {kind: string}) => x.kind === 'createMap')
        assert.equal(create.outcome, 'unconfirmed')
        assert.match(
          create.detail,
          /the Location header ".*" points to another server than http:\/\/127\.0\.0\.1:\d+; the server answered as if it was done, so it is not sent again/,
        )
        assert.ok(doc.apply.results.filter((x: {kind: string}) => x.kind !== 'createMap').every((x: {outcome: string}) => x.outcome === 'skipped'))
        assert.equal(hostile.hits.filter((h) => h.startsWith('POST')).length, 1, 'the create is not sent again')
      })
    }
  })

  describe('bodies', () => {
    it('refuses a body announced larger than 64 MiB without reading it (exit 7)', async () => {
      handler = answering({
        '/api/maps/': (_req, res) => {
          res.writeHead(200, {'content-type': 'application/json', 'content-length': 200 * 1024 * 1024})
          res.write('{"maps": [')
        },
      })
      assertCleanFailure(await cli('diff'), 7, /GET http:\/\/127\.0\.0\.1:\d+\/api\/maps\/ breaks the API contract: the answer is larger than 67108864 bytes/)
    })

    it('stops reading an endless body past 64 MiB (exit 7)', async () => {
      const chunk = Buffer.alloc(1024 * 1024, 0x20)
      handler = answering({
        '/api/maps/': (_req, res) => {
          res.writeHead(200, {'content-type': 'application/json'})
          let sent = 0
          const more = (): void => {
            while (sent < 100 && !res.destroyed) {
              sent++
              if (!res.write(chunk)) {
                res.once('drain', more)
                return
              }
            }
            res.end()
          }
          res.write('{"maps": [')
          more()
        },
      })
      assertCleanFailure(await cli('diff'), 7, /the answer is larger than 67108864 bytes/)
    })

    it('survives JSON nested 100,000 deep wherever it comes (exit 7, or the error it stands in)', async () => {
      await writeFile(path.join(dir, 'small.map'), SMALL)
      handler = answering({'/api/maps/': (_req, res) => json(res, 200, `{"maps": ${deep(100_000)}}`)})
      assertCleanFailure(await cli('diff'), 7, /\/api\/maps\/ breaks the API contract: maps\[0\]: Invalid input: expected object, received array/)

      handler = answering({
        'GET /api/maps/': (_req, res) => json(res, 200, {maps: [{name: 'Small', slug: 'small', width: 3, height: 2}]}),
        '/api/maps/small/': (_req, res) => json(res, 200, `{"name": "Small", "slug": "small", "width": 3, "height": 2, "observers": ${deep(100_000)}, "obstacles": []}`),
      })
      assertCleanFailure(await cli('push'), 7, /\/api\/maps\/small\/ breaks the API contract: observers\[0\]/)

      // In an error body, where only its message would be shown.
      handler = answering({'POST /api/maps/': (_req, res) => json(res, 500, `{"message": ${deep(100_000)}}`)})
      const push = await cli('push', '--retries', '0')
      assert.equal(push.code, 4, push.stdout + push.stderr)
      assert.match(push.stdout, /answered 500 Internal Server Error/)
    })

    const wrong: Array<[string, string, unknown, RegExp]> = [
      ['a listing that is null', '/api/maps/', null, /\(the whole answer\): Invalid input/],
      ['a listing that is a string', '/api/maps/', '"maps"', /\(the whole answer\)/],
      ['maps that are an object', '/api/maps/', {maps: {small: SMALL_MAP}}, /maps: Invalid input: expected array/],
      ['a name that is a number', '/api/maps/', {maps: [{...SMALL_MAP, name: 7}]}, /maps\[0\]\.name/],
      ['a negative width', '/api/maps/', {maps: [{...SMALL_MAP, width: -3}]}, /maps\[0\]\.width/],
      ['a height of 1e400', '/api/maps/', '{"maps": [{"name": "Small", "slug": "small", "width": 3, "height": 1e400}]}', /maps\[0\]\.height/],
      ['a slug that is ".."', '/api/maps/', {maps: [{...SMALL_MAP, slug: '..'}]}, /maps\[0\]\.slug: a slug must not be "\." or "\.\."/],
      ['observers that are null', '/api/maps/small/', {...SMALL_MAP, observers: null}, /observers: Invalid input/],
      ['a vision that is a word', '/api/maps/small/', {...SMALL_MAP, observers: [{name: 'O', slug: 'o', x: 0, y: 0, vision: 'far'}]}, /observers\[0\]\.vision/],
      ['obstacles as pairs', '/api/maps/small/', {...SMALL_MAP, obstacles: [[1, 1]]}, /obstacles\[0\]/],
      ['an observer slug that is "."', '/api/maps/small/', {...SMALL_MAP, observers: [{name: 'O', slug: '.', x: 0, y: 0, vision: null}]}, /observers\[0\]\.slug/],
    ]
    for (const [what, where, body, field] of wrong) {
      it(`refuses ${what} (exit 7), naming the endpoint and the field, before any write`, async () => {
        await writeFile(path.join(dir, 'small.map'), SMALL)
        const listing = where === '/api/maps/' ? body : {maps: [{name: 'Small', slug: 'small', width: 3, height: 2}]}
        handler = answering({
          'GET /api/maps/': (_req, res) => json(res, 200, listing),
          'GET /api/maps/small/': (_req, res) => json(res, 200, where === '/api/maps/small/' ? body : SMALL_MAP),
        })
        assertCleanFailure(await cli('push'), 7, new RegExp(`GET http://127\\.0\\.0\\.1:\\d+${where.replace(/\//g, '\\/')} breaks the API contract: .*${field.source}`))
        assert.deepEqual(
          hostile.hits.filter((h) => !h.startsWith('GET')),
          [],
          'nothing written',
        )
      })
    }

    it('never deletes the map for an observer whose slug is ".."', async () => {
      await writeFile(path.join(dir, 'small.map'), SMALL)
      handler = answering({
        'GET /api/maps/': (_req, res) => json(res, 200, {maps: [{name: 'Small', slug: 'small', width: 3, height: 2}]}),
        'GET /api/maps/small/': (_req, res) => json(res, 200, {...SMALL_MAP, observers: [{name: 'Gone', slug: '..', x: 0, y: 0, vision: null}]}),
      })
      assertCleanFailure(await cli('push'), 7, /observers\[0\]\.slug/)
      assert.deepEqual(
        hostile.hits.filter((h) => h.startsWith('DELETE')),
        [],
      )
    })
  })

  it('prints no control character a name or message from the server holds', async () => {
    const nasty = 'Map \u001B]0;owned\u0007\u001B[2J\r\u009B'
    handler = answering({
      'GET /api/maps/': (_req, res) => json(res, 200, {maps: [{name: nasty, slug: 'nasty', width: 1, height: 1}]}),
      'POST /api/maps/': (_req, res) => json(res, 500, {message: `locked \u001B[1A\u001B[2K${nasty}`}),
      // The map's own URL fails too, so pull reports the map by its name.
      'GET /api/maps/nasty/': (_req, res) => json(res, 503, {message: `down \u001B[2J${nasty}`}),
    })
    await writeFile(path.join(dir, 'small.map'), SMALL)
    for (const args of [['diff'], ['push', '--retries', '0'], ['pull', '--dry-run']]) {
      // eslint-disable-next-line no-await-in-loop
      const r = await cli(...args)
      assert.ok([0, 4].includes(r.code), r.stdout + r.stderr)
      assert.match(r.stdout + r.stderr, /Map (\uFFFD|\\u001b)\]0;owned/, 'the name is shown, defused')
      assert.doesNotMatch(r.stdout + r.stderr, /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/)
    }
  })

  describe('names and slugs made to climb out of the maps directory', () => {
    const names = ['../../escape', '..\\..\\escape', '/tmp/gridsync-escape', 'C:\\escape', '.gridsync', 'nul', 'a/../../b', '...dots', '.hidden', '-rf']
    const slugs = ['../../escape', '..%2F..%2Fescape', '/etc/passwd', 'C:\\escape', '.gridsync', 'nul', 'a/../../b', '...', '.hidden', '-rf']

    it('pulls every map into a plain file name inside the maps directory', async () => {
      const listing = names.map((name, i) => ({name, slug: slugs[i], width: 2, height: 1}))
      handler = (req, res) => {
        if (req.url === '/apispec_1.json') return json(res, 200, SPEC)
        if (req.url === '/api/maps/') return json(res, 200, {maps: listing})
        const slug = decodeURIComponent(/^\/api\/maps\/(.*)\/$/.exec(req.url ?? '')?.[1] ?? '')
        const entry = listing.find((m) => m.slug === slug)
        if (!entry) return res.writeHead(404).end()
        json(res, 200, {...entry, observers: [{name: '../../observer', slug: 'o', x: 0, y: 0, vision: null}], obstacles: [{x: 1, y: 0}]})
      }

      const r = await cli('pull', '--json')
      assert.equal(r.code, 0, r.stdout + r.stderr)
      const doc = JSON.parse(r.stdout)
      assert.equal(doc.maps.filter((m: {status: string}) => m.status === 'written').length, names.length)
      const files = (await readdir(dir)).filter((f) => f !== '.gridsync')
      assert.equal(files.length, names.length)
      for (const f of files) assert.match(f, /^[a-z0-9][a-z0-9-]*\.map$/, f)
      // Each request stayed under /api/maps/ on the configured server, every slug one path segment.
      for (const hit of hostile.hits) assert.match(hit, /^GET \/(apispec_1\.json|api\/maps\/([^/]*\/)?)$/, hit)
    })

    it('refuses a listing with the slug "." or ".." and writes no map', async () => {
      handler = answering({'/api/maps/': (_req, res) => json(res, 200, {maps: [{name: 'Up', slug: '..', width: 1, height: 1}]})})
      assertCleanFailure(await cli('pull'), 7, /maps\[0\]\.slug/)
      assert.deepEqual(
        (await readdir(dir)).filter((f) => f !== '.gridsync'),
        [],
      )
    })
  })
})
