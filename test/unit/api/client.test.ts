import assert from 'node:assert/strict'
import {inspect} from 'node:util'
import {after, afterEach, before, describe, it} from 'node:test'

import nock from 'nock'

import {APIDataSource, ApiOptionError, ContractError, HttpError, NetworkError, VersionMismatchError, type APIDataSourceOptions, type RequestEvent} from '../../../src/api/index.js'
import {ExitCode} from '../../../src/exit-codes.js'
import {failure, socketError} from '../../helpers/errors.js'

const S = 'http://gridmap.test:5000'
const TOKEN = 'tok-3f9a-SECRET'
const JSON_TYPE = {'content-type': 'application/json'}

const clients: APIDataSource[] = []
function client(options: Partial<APIDataSourceOptions> = {}): APIDataSource {
  const api = new APIDataSource({server: S, retries: 0, ...options})
  clients.push(api)
  return api
}

before(() => nock.disableNetConnect())
afterEach(() => {
  const pending = nock.pendingMocks()
  nock.cleanAll()
  for (const api of clients.splice(0)) api.close()
  assert.deepEqual(pending, [], 'every expected request was made')
})
after(() => nock.enableNetConnect())

describe('APIDataSource reads', () => {
  it('lists maps with URLs built from their slugs', async () => {
    nock(S)
      .get('/api/maps/')
      .matchHeader('accept', 'application/json')
      .reply(200, {
        maps: [
          {name: 'Fancy Map!!', slug: 'fancy-map', width: 6, height: 4, id: 7},
          {name: 'B', slug: 'b', width: 1, height: 1},
        ],
      })
    const maps = await client().listMaps()
    assert.deepEqual(maps, [
      {name: 'Fancy Map!!', slug: 'fancy-map', width: 6, height: 4, url: `${S}/api/maps/fancy-map/`},
      {name: 'B', slug: 'b', width: 1, height: 1, url: `${S}/api/maps/b/`},
    ])
  })

  it('reads a map, accepting integral floats and keeping repeated obstacles', async () => {
    const body =
      '{"name": "Täällä", "slug": "taalla", "width": 6.0, "height": 3, "extra": true,' +
      ' "observers": [{"name": "Eye", "slug": "eye", "vision": 6.0, "x": 1.0, "y": 2},' +
      ' {"name": "Blind", "slug": "blind", "vision": null, "x": 0, "y": 0, "note": "x"}],' +
      ' "obstacles": [{"x": 3, "y": 1}, {"x": 3.0, "y": 1.0}]}'
    nock(S).get('/api/maps/taalla/').reply(200, body, JSON_TYPE)
    const map = await client().getMap(`${S}/api/maps/taalla/`)
    assert.deepEqual(map, {
      name: 'Täällä',
      slug: 'taalla',
      width: 6,
      height: 3,
      url: `${S}/api/maps/taalla/`,
      observers: [
        {name: 'Eye', slug: 'eye', x: 1, y: 2, vision: 6, url: `${S}/api/maps/taalla/observers/eye/`},
        {name: 'Blind', slug: 'blind', x: 0, y: 0, vision: null, url: `${S}/api/maps/taalla/observers/blind/`},
      ],
      obstacles: [
        {x: 3, y: 1},
        {x: 3, y: 1},
      ],
    })
  })

  it('reads an observer with its map', async () => {
    nock(S).get('/api/maps/m/observers/eye/').reply(200, {name: 'Eye', slug: 'eye', vision: 2.5, x: 1, y: 1, map_name: 'M', map_slug: 'm'})
    const observer = await client().getObserver(`${S}/api/maps/m/observers/eye/`)
    assert.deepEqual(observer, {
      name: 'Eye',
      slug: 'eye',
      x: 1,
      y: 1,
      vision: 2.5,
      url: `${S}/api/maps/m/observers/eye/`,
      mapName: 'M',
      mapSlug: 'm',
      mapUrl: `${S}/api/maps/m/`,
    })
  })

  it('encodes slugs in the URLs it builds', () => {
    const api = client()
    assert.equal(api.mapUrl('a b/c'), `${S}/api/maps/a%20b%2Fc/`)
    assert.equal(api.observerUrl(`${S}/api/maps/m/`, 'ö'), `${S}/api/maps/m/observers/%C3%B6/`)
  })

  it('works under a path prefix', async () => {
    nock(S)
      .get('/grid/api/maps/')
      .reply(200, {maps: [{name: 'A', slug: 'a', width: 2, height: 2}]})
      .post('/grid/api/maps/')
      .reply(201, '', {Location: '/api/maps/b/'})
    const api = client({server: `${S}/grid/`})
    assert.equal(api.baseUrl, `${S}/grid`)
    assert.equal((await api.listMaps())[0]?.url, `${S}/grid/api/maps/a/`)
    assert.deepEqual(await api.createMap({name: 'B', width: 1, height: 1}), {url: `${S}/grid/api/maps/b/`})
  })

  it('leaves a server failure on the spec a server failure', async () => {
    nock(S).get('/apispec_1.json').reply(503)
    const err = await failure(client().checkVersion())
    assert.ok(err instanceof HttpError)
    assert.equal(err.status, 503)
  })
})

describe('APIDataSource writes', () => {
  /** Intercepts one request and records the JSON body sent. */
  function expectWrite(method: 'post' | 'put' | 'delete', path: string, status: number, headers: Record<string, string> = {}) {
    const seen: {body?: unknown} = {}
    nock(S)
      .intercept(path, method.toUpperCase(), (body: unknown) => {
        seen.body = body
        return true
      })
      .reply(status, '', {'content-type': 'text/html; charset=utf-8', ...headers})
    return seen
  }

  it('creates a map from exactly name, width and height, at its Location', async () => {
    const seen = expectWrite('post', '/api/maps/', 201, {Location: '/api/maps/new-map/'})
    const extra = {name: 'New Map', width: 5, height: 6, file: 'maps/new.map'}
    assert.deepEqual(await client().createMap(extra), {url: `${S}/api/maps/new-map/`})
    assert.deepEqual(seen.body, {name: 'New Map', width: 5, height: 6})
  })

  it('accepts an absolute Location on the server', async () => {
    expectWrite('post', '/api/maps/', 201, {Location: `${S}/api/maps/abs/`})
    assert.deepEqual(await client().createMap({name: 'abs', width: 1, height: 1}), {url: `${S}/api/maps/abs/`})
  })

  it('rejects a Location on another server', async () => {
    expectWrite('post', '/api/maps/', 201, {Location: 'http://elsewhere.test/api/maps/a/'})
    const err = await failure(client().createMap({name: 'a', width: 1, height: 1}))
    assert.ok(err instanceof ContractError)
    assert.equal(err.exitCode, ExitCode.CONTRACT)
    assert.match(err.message, /POST http:\/\/gridmap\.test:5000\/api\/maps\/.*another server/)
    assert.equal(err.written, true, 'the server said it created it')
  })

  it('rejects a 201 without Location and a create answered other than 201', async () => {
    expectWrite('post', '/api/maps/', 201)
    const missing = await failure(client().createMap({name: 'a', width: 1, height: 1}))
    assert.ok(missing instanceof ContractError)
    assert.match(missing.message, /no Location header/)
    expectWrite('post', '/api/maps/', 200, {Location: '/api/maps/a/'})
    const ok = await failure(client().createMap({name: 'a', width: 1, height: 1}))
    assert.ok(ok instanceof ContractError)
    assert.match(ok.message, /expected 201 Created, got 200/)
    assert.deepEqual([missing.written, ok.written], [true, true])
  })

  it('updates a map with all three fields', async () => {
    const seen = expectWrite('put', '/api/maps/m/', 204)
    await client().updateMap(`${S}/api/maps/m/`, {name: 'M2', width: 7, height: 8})
    assert.deepEqual(seen.body, {name: 'M2', width: 7, height: 8})
  })

  it('deletes a map', async () => {
    expectWrite('delete', '/api/maps/m/', 204)
    await client().deleteMap(`${S}/api/maps/m/`)
  })

  it('creates an observer, leaving vision out when there is no limit', async () => {
    const limited = expectWrite('post', '/api/maps/m/observers/', 201, {Location: '/api/maps/m/observers/eye/'})
    const created = await client().createObserver(`${S}/api/maps/m/`, {name: 'Eye', x: 1, y: 2, vision: 3})
    assert.deepEqual(created, {url: `${S}/api/maps/m/observers/eye/`})
    assert.deepEqual(limited.body, {name: 'Eye', x: 1, y: 2, vision: 3})

    const unlimited = expectWrite('post', '/api/maps/m/observers/', 201, {Location: '/api/maps/m/observers/all/'})
    await client().createObserver(`${S}/api/maps/m/`, {name: 'All', x: 0, y: 0, vision: null})
    assert.deepEqual(unlimited.body, {name: 'All', x: 0, y: 0})
    assert.equal(Object.hasOwn(unlimited.body as object, 'vision'), false)
  })

  it('updates an observer: vision 0 is sent, a null vision is left out', async () => {
    const url = `${S}/api/maps/m/observers/eye/`
    const zero = expectWrite('put', '/api/maps/m/observers/eye/', 204)
    await client().updateObserver(url, {name: 'Eye', x: 4, y: 5, vision: 0})
    assert.deepEqual(zero.body, {name: 'Eye', x: 4, y: 5, vision: 0})
    const cleared = expectWrite('put', '/api/maps/m/observers/eye/', 204)
    await client().updateObserver(url, {name: 'Eye', x: 4, y: 5, vision: null})
    assert.deepEqual(cleared.body, {name: 'Eye', x: 4, y: 5})
  })

  it('deletes an observer', async () => {
    expectWrite('delete', '/api/maps/m/observers/eye/', 204)
    await client().deleteObserver(`${S}/api/maps/m/observers/eye/`)
  })

  it('creates and deletes obstacles by position', async () => {
    const seen = expectWrite('post', '/api/maps/m/obstacles/', 201, {Location: '/api/maps/m/obstacles/3/4/'})
    assert.deepEqual(await client().createObstacle(`${S}/api/maps/m/`, {x: 3, y: 4}), {url: `${S}/api/maps/m/obstacles/3/4/`})
    assert.deepEqual(seen.body, {x: 3, y: 4})
    expectWrite('delete', '/api/maps/m/obstacles/3/4/', 204)
    await client().deleteObstacle(`${S}/api/maps/m/`, {x: 3, y: 4})
  })

  it('leaves a server failure on the spec a server failure', async () => {
    nock(S).get('/apispec_1.json').reply(503)
    const err = await failure(client().checkVersion())
    assert.ok(err instanceof HttpError)
    assert.equal(err.status, 503)
  })
})

describe('APIDataSource answers that break the contract', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['a string width', {maps: [{name: 'A', slug: 'a', width: '6', height: 1}]}, /maps\[0\]\.width/],
    ['a missing slug', {maps: [{name: 'A', width: 6, height: 1}]}, /maps\[0\]\.slug/],
    ['no maps key', {items: []}, /maps: /],
  ]
  for (const [what, body, path] of cases) {
    it(`rejects a listing with ${what}, naming the endpoint and the field`, async () => {
      nock(S)
        .get('/api/maps/')
        .reply(200, body as nock.Body)
      const err = await failure(client().listMaps())
      assert.ok(err instanceof ContractError)
      assert.equal(err.endpoint, `GET ${S}/api/maps/`)
      assert.match(err.message, new RegExp(`GET ${S}/api/maps/`.replace(/[.?/]/g, '\\$&')))
      assert.match(err.message, path)
    })
  }

  it('rejects fractional coordinates and a negative vision in a map', async () => {
    const map = {
      name: 'M',
      slug: 'm',
      width: 4,
      height: 4,
      observers: [{name: 'E', slug: 'e', vision: -1, x: 1.5, y: 0}],
      obstacles: [{x: 1, y: 2.25}],
    }
    nock(S).get('/api/maps/m/').reply(200, map)
    const err = await failure(client().getMap(`${S}/api/maps/m/`))
    assert.ok(err instanceof ContractError)
    assert.match(err.message, /observers\[0\]\.x/)
    assert.match(err.message, /observers\[0\]\.vision/)
    assert.match(err.message, /obstacles\[0\]\.y/)
  })

  it('rejects a body that is not JSON', async () => {
    nock(S).get('/api/maps/').reply(200, '<html>maintenance</html>', {'content-type': 'text/html'})
    const err = await failure(client().listMaps())
    assert.ok(err instanceof ContractError)
    assert.match(err.message, /GET http:\/\/gridmap\.test:5000\/api\/maps\/.*not JSON \(text\/html\)/)
  })

  it('rejects an answer larger than the limit', async () => {
    nock(S)
      .get('/api/maps/')
      .reply(200, JSON.stringify({maps: [], pad: 'x'.repeat(5000)}), JSON_TYPE)
    const err = await failure(client({maxResponseBytes: 1000}).listMaps())
    assert.ok(err instanceof ContractError)
    assert.match(err.message, /larger than 1000 bytes/)
  })

  it('does not follow redirects, naming one to another server', async () => {
    nock(S).get('/api/maps/m').reply(308, '', {Location: '/api/maps/m/'})
    const same = await failure(client().getMap(`${S}/api/maps/m`))
    assert.ok(same instanceof ContractError)
    assert.match(same.message, /redirects \(308\) to \/api\/maps\/m\/; redirects are not followed/)

    nock(S).get('/api/maps/').reply(302, '', {Location: 'http://elsewhere.test/api/maps/'})
    const other = await failure(client().listMaps())
    assert.ok(other instanceof ContractError)
    assert.match(other.message, /to http:\/\/elsewhere\.test\/api\/maps\/, another server;/)
  })

  it('sends nothing to a URL off the server', async () => {
    const err = await failure(client().getMap('http://elsewhere.test/api/maps/m/'))
    assert.ok(err instanceof ContractError)
    assert.match(err.message, /not on the server http:\/\/gridmap\.test:5000/)
  })

  it('refuses the slugs "." and "..", which would name another resource as URL segments', async () => {
    nock(S)
      .get('/api/maps/')
      .reply(200, {maps: [{name: 'Up', slug: '..', width: 1, height: 1}]})
    const listed = await failure(client().listMaps())
    assert.ok(listed instanceof ContractError)
    assert.match(listed.message, /maps\[0\]\.slug: a slug must not be "\." or "\.\."/)
    const map = {name: 'M', slug: 'm', width: 4, height: 4, observers: [{name: 'Dot', slug: '.', vision: null, x: 0, y: 0}], obstacles: []}
    nock(S).get('/api/maps/m/').reply(200, map)
    const read = await failure(client().getMap(`${S}/api/maps/m/`))
    assert.ok(read instanceof ContractError)
    assert.match(read.message, /observers\[0\]\.slug/)
  })

  it('sends nothing to a URL with "." or ".." segments (deleting observer ".." would delete the map)', async () => {
    const api = client()
    const err = await failure(api.deleteObserver(api.observerUrl(`${S}/api/maps/m/`, '..')))
    assert.ok(err instanceof ContractError)
    assert.match(err.message, /^the answer to DELETE http:\/\/gridmap\.test:5000\/api\/maps\/m\/observers\/\.\.\/ .*"\." or "\.\." segments; it is not sent$/)
  })

  it('leaves a server failure on the spec a server failure', async () => {
    nock(S).get('/apispec_1.json').reply(503)
    const err = await failure(client().checkVersion())
    assert.ok(err instanceof HttpError)
    assert.equal(err.status, 503)
  })
})

describe('APIDataSource error statuses', () => {
  it('turns a 404 page into an HttpError with the status, not retried', async () => {
    const events: RequestEvent[] = []
    nock(S).delete('/api/maps/gone/').reply(404, '<!doctype html><title>404 Not Found</title>', {'content-type': 'text/html'})
    const err = await failure(client({retries: 3, retryBaseMs: 1, onRequest: (e) => events.push(e)}).deleteMap(`${S}/api/maps/gone/`))
    assert.ok(err instanceof HttpError)
    assert.equal(err.status, 404)
    assert.equal(err.exitCode, ExitCode.OPERATIONS_FAILED)
    assert.equal(err.serverMessage, undefined)
    assert.equal(err.message, `DELETE ${S}/api/maps/gone/ answered 404 Not Found`)
    assert.equal(events.length, 1)
  })

  it('carries the message of a JSON error body on a 409, not retried', async () => {
    nock(S).post('/api/maps/').reply(409, {message: 'Map with name "A"\nalready exists'})
    const err = await failure(client({retries: 3, retryBaseMs: 1}).createMap({name: 'A', width: 1, height: 1}))
    assert.ok(err instanceof HttpError)
    assert.equal(err.status, 409)
    assert.equal(err.serverMessage, 'Map with name "A" already exists')
    assert.equal(err.message, `POST ${S}/api/maps/ answered 409 Conflict: Map with name "A" already exists`)
  })

  it('names the status of a 400 with its message', async () => {
    nock(S).put('/api/maps/m/observers/e/').reply(400, {message: '9 is outside map'})
    const err = await failure(client().updateObserver(`${S}/api/maps/m/observers/e/`, {name: 'E', x: 9, y: 0, vision: null}))
    assert.ok(err instanceof HttpError)
    assert.equal(err.status, 400)
    assert.match(err.message, /answered 400 Bad Request: 9 is outside map$/)
  })

  it('leaves a server failure on the spec a server failure', async () => {
    nock(S).get('/apispec_1.json').reply(503)
    const err = await failure(client().checkVersion())
    assert.ok(err instanceof HttpError)
    assert.equal(err.status, 503)
  })
})

describe('APIDataSource credentials', () => {
  const withToken = () => client({token: TOKEN, headers: {'X-Api-Key': 'key-77-SECRET'}})

  /** The token and extra header value appear nowhere in the error. */
  function assertNoSecrets(err: Error): void {
    for (const text of [err.message, String(err), inspect(err, {depth: 5}), JSON.stringify(err)]) {
      assert.equal(text.includes(TOKEN), false, text)
      assert.equal(text.includes('key-77-SECRET'), false, text)
    }
  }

  it('sends the token as a bearer Authorization header, with the extra headers', async () => {
    nock(S)
      .get('/api/maps/')
      .matchHeader('authorization', `Bearer ${TOKEN}`)
      .matchHeader('x-api-key', 'key-77-SECRET')
      .matchHeader('user-agent', 'gridsync-test/1')
      .reply(200, {maps: []})
    assert.deepEqual(await client({token: TOKEN, headers: {'X-Api-Key': 'key-77-SECRET'}, userAgent: 'gridsync-test/1'}).listMaps(), [])
  })

  it('keeps secrets out of a 404 error', async () => {
    nock(S).get('/api/maps/x/').reply(404, 'not found')
    const err = await failure(withToken().getMap(`${S}/api/maps/x/`))
    assert.ok(err instanceof HttpError)
    assertNoSecrets(err)
  })

  it('keeps secrets out of a 500 error', async () => {
    nock(S).put('/api/maps/x/').reply(500, {message: 'database is locked'})
    const err = await failure(withToken().updateMap(`${S}/api/maps/x/`, {name: 'x', width: 1, height: 1}))
    assert.ok(err instanceof HttpError)
    assert.match(err.message, /500 Internal Server Error: database is locked/)
    assertNoSecrets(err)
  })

  it('keeps secrets out of network errors', async () => {
    nock(S).get('/api/maps/').replyWithError(socketError('ECONNRESET', 'socket hang up'))
    const reset = await failure(withToken().listMaps())
    assert.ok(reset instanceof NetworkError)
    assertNoSecrets(reset)
    nock(S).post('/api/maps/').replyWithError(socketError('ECONNREFUSED', 'connect ECONNREFUSED'))
    const refused = await failure(withToken().createMap({name: 'a', width: 1, height: 1}))
    assert.ok(refused instanceof NetworkError)
    assertNoSecrets(refused)
  })

  it('refuses header values that cannot be sent, without showing them', () => {
    assert.throws(
      () => client({token: 'abc\r\nX-Evil: 1'}),
      (err: Error) => {
        assert.ok(err instanceof ApiOptionError)
        assert.match(err.message, /the token holds characters not allowed/)
        assert.equal(err.message.includes('abc'), false)
        return true
      },
    )
    assert.throws(() => client({headers: {'X-Key': 'v\n1'}}), {message: /the header "X-Key"/})
  })

  it('leaves a server failure on the spec a server failure', async () => {
    nock(S).get('/apispec_1.json').reply(503)
    const err = await failure(client().checkVersion())
    assert.ok(err instanceof HttpError)
    assert.equal(err.status, 503)
  })
})

describe('APIDataSource options', () => {
  it('refuses unusable numbers', () => {
    assert.throws(() => client({concurrency: 0}), ApiOptionError)
    assert.throws(() => client({concurrency: 1.5}), ApiOptionError)
    assert.throws(() => client({timeoutSeconds: -1}), ApiOptionError)
    assert.throws(() => client({retries: -1}), ApiOptionError)
    assert.throws(() => client({retryBaseMs: 0}), ApiOptionError)
  })

  it('refuses a bad server URL with a usage error', () => {
    assert.throws(() => client({server: 'gridmap.test:5000'}), {name: 'ApiOptionError', exitCode: ExitCode.USAGE})
  })

  it('leaves a server failure on the spec a server failure', async () => {
    nock(S).get('/apispec_1.json').reply(503)
    const err = await failure(client().checkVersion())
    assert.ok(err instanceof HttpError)
    assert.equal(err.status, 503)
  })
})

describe('APIDataSource version check', () => {
  const spec = (version: unknown) => ({openapi: '3.0.3', info: {title: 'Gridmap', version}, servers: [{url: '/api'}]})

  it('reads the version from the OpenAPI document', async () => {
    nock(S).get('/apispec_1.json').reply(200, spec('1.0.0'))
    assert.equal(await client().apiVersion(), '1.0.0')
  })

  for (const version of ['1.0.0', '1.2.0', '1.10.3-beta']) {
    it(`accepts ${version} for 1.0.0`, async () => {
      nock(S).get('/apispec_1.json').reply(200, spec(version))
      assert.equal(await client().checkVersion(), version)
    })
  }

  it('rejects another major version, naming both', async () => {
    nock(S).get('/apispec_1.json').reply(200, spec('2.0.0'))
    const err = await failure(client().checkVersion('1.0.0'))
    assert.ok(err instanceof VersionMismatchError)
    assert.equal(err.exitCode, ExitCode.CONTRACT)
    assert.match(err.message, /2\.0\.0.*1\.0\.0/)
  })

  it('treats an unreadable spec as a contract error', async () => {
    nock(S).get('/apispec_1.json').reply(200, {openapi: '3.0.3'})
    const missing = await failure(client().checkVersion())
    assert.ok(missing instanceof ContractError)
    assert.match(missing.message, /apispec_1\.json.*info/)

    nock(S).get('/apispec_1.json').reply(200, 'swagger is down', {'content-type': 'text/plain'})
    assert.ok((await failure(client().checkVersion())) instanceof ContractError)

    nock(S).get('/apispec_1.json').reply(404, '<html>Not Found</html>')
    const absent = await failure(client().checkVersion())
    assert.ok(absent instanceof ContractError)
    assert.match(absent.message, /no API description \(404\): is this a Gridmap API server\?/)

    nock(S).get('/apispec_1.json').reply(200, spec('banana'))
    const garbled = await failure(client().checkVersion())
    assert.ok(garbled instanceof ContractError)
    assert.match(garbled.message, /"banana" is not a version number/)
  })

  it('leaves a server failure on the spec a server failure', async () => {
    nock(S).get('/apispec_1.json').reply(503)
    const err = await failure(client().checkVersion())
    assert.ok(err instanceof HttpError)
    assert.equal(err.status, 503)
  })
})
