import assert from 'node:assert/strict'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {after, afterEach, before, describe, it} from 'node:test'

import nock from 'nock'

import {APIDataSource, HttpError, NetworkError, isAmbiguousWrite, type RequestEvent} from '../../../src/api/index.js'
import {failure, socketError} from '../../helpers/errors.js'

const S = 'http://gridmap.test:5000'
const MAP = `${S}/api/maps/m/`

const clients: APIDataSource[] = []
/** A client with fast retries that records every attempt. */
function retrying(retries = 3, timeoutSeconds?: number): {api: APIDataSource; events: RequestEvent[]} {
  const events: RequestEvent[] = []
  const api = new APIDataSource({server: S, retries, retryBaseMs: 1, timeoutSeconds, onRequest: (e) => events.push(e)})
  clients.push(api)
  return {api, events}
}

before(() => nock.disableNetConnect())
afterEach(() => {
  const pending = nock.pendingMocks()
  nock.cleanAll()
  for (const api of clients.splice(0)) api.close()
  assert.deepEqual(pending, [], 'every expected request was made')
})
after(() => nock.enableNetConnect())

const MAP_BODY = {name: 'M', slug: 'm', width: 2, height: 2, observers: [], obstacles: []}

describe('retries of idempotent requests', () => {
  for (const status of [500, 503, 429]) {
    it(`retries a GET answered ${status}`, async () => {
      const {api, events} = retrying()
      nock(S).get('/api/maps/m/').reply(status, {message: 'busy'}).get('/api/maps/m/').reply(200, MAP_BODY)
      assert.equal((await api.getMap(MAP)).slug, 'm')
      assert.deepEqual(
        events.map((e) => [e.attempt, e.status]),
        [
          [1, status],
          [2, 200],
        ],
      )
    })
  }

  it('retries a GET after a reset connection', async () => {
    const {api, events} = retrying()
    nock(S).get('/api/maps/m/').replyWithError(socketError('ECONNRESET', 'socket hang up')).get('/api/maps/m/').reply(200, MAP_BODY)
    assert.equal((await api.getMap(MAP)).slug, 'm')
    assert.equal(events.length, 2)
    assert.match(events[0]?.error ?? '', /closed the connection/)
    assert.equal(events[0]?.status, undefined)
  })

  it('retries a PUT on 503 and after a reset connection', async () => {
    const {api, events} = retrying()
    nock(S).put('/api/maps/m/').reply(503).put('/api/maps/m/').replyWithError(socketError('ECONNRESET')).put('/api/maps/m/').reply(204)
    await api.updateMap(MAP, {name: 'M', width: 3, height: 3})
    assert.deepEqual(
      events.map((e) => e.attempt),
      [1, 2, 3],
    )
  })

  it('retries a DELETE on 500 and on a refused connection', async () => {
    const {api, events} = retrying()
    nock(S).delete('/api/maps/m/').reply(500, {message: 'database is locked'}).delete('/api/maps/m/').replyWithError(socketError('ECONNREFUSED')).delete('/api/maps/m/').reply(204)
    await api.deleteMap(MAP)
    assert.equal(events.length, 3)
  })

  it('retries a GET whose answer broke off midway', async () => {
    let served = 0
    const server = http.createServer((_req, res) => {
      served++
      const body = JSON.stringify(MAP_BODY)
      res.writeHead(200, {'content-type': 'application/json', 'content-length': Buffer.byteLength(body)})
      if (served === 1) {
        res.write(body.slice(0, 10))
        setImmediate(() => res.socket?.destroy())
      } else {
        res.end(body)
      }
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    nock.enableNetConnect('127.0.0.1')
    try {
      const events: RequestEvent[] = []
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      const api = new APIDataSource({server: base, retries: 3, retryBaseMs: 1, onRequest: (e) => events.push(e)})
      clients.push(api)
      assert.equal((await api.getMap(`${base}/api/maps/m/`)).slug, 'm')
      assert.equal(served, 2)
      assert.equal(events[0]?.status, undefined)
      assert.ok(events[0]?.error)
      assert.equal(events[1]?.status, 200)
    } finally {
      nock.disableNetConnect()
      server.closeAllConnections()
      server.close()
    }
  })

  it('gives up after the configured retries, saying how many attempts were made', async () => {
    const {api, events} = retrying(2)
    nock(S).get('/api/maps/m/').times(3).reply(503, {message: 'overloaded'})
    const err = await failure(api.getMap(MAP))
    assert.ok(err instanceof HttpError)
    assert.equal(err.status, 503)
    assert.equal(err.attempts, 3)
    assert.match(err.message, /overloaded \(after 3 attempts\)$/)
    assert.equal(events.length, 3)
  })

  it('honours Retry-After before retrying', async () => {
    const {api, events} = retrying()
    nock(S)
      .get('/api/maps/m/')
      .reply(429, '', {'Retry-After': '0'})
      .get('/api/maps/m/')
      .reply(503, '', {'Retry-After': new Date(Date.now() - 1000).toUTCString()})
      .get('/api/maps/m/')
      .reply(200, MAP_BODY)
    assert.equal((await api.getMap(MAP)).slug, 'm')
    assert.equal(events.length, 3)
  })

  it('does not retry a 404 or a 409', async () => {
    const {api, events} = retrying()
    nock(S).delete('/api/maps/m/').reply(404).put('/api/maps/m/').reply(409, {message: 'conflict'})
    assert.equal(((await failure(api.deleteMap(MAP))) as HttpError).status, 404)
    assert.equal(((await failure(api.updateMap(MAP, {name: 'X', width: 1, height: 1}))) as HttpError).status, 409)
    assert.equal(events.length, 2)
  })
})

describe('retries of POST', () => {
  for (const status of [500, 503, 429]) {
    it(`retries a POST answered ${status}: nothing was written`, async () => {
      const {api, events} = retrying()
      nock(S).post('/api/maps/m/obstacles/').reply(status, {message: 'database is locked'}).post('/api/maps/m/obstacles/').reply(201, '', {Location: '/api/maps/m/obstacles/1/1/'})
      assert.deepEqual(await api.createObstacle(MAP, {x: 1, y: 1}), {url: `${MAP}obstacles/1/1/`})
      assert.equal(events.length, 2)
    })
  }

  it('does not retry a POST whose connection broke, and says it may have been applied', async () => {
    const {api, events} = retrying()
    nock(S).post('/api/maps/m/observers/').replyWithError(socketError('ECONNRESET', 'socket hang up'))
    const err = await failure(api.createObserver(MAP, {name: 'E', x: 0, y: 0, vision: null}))
    assert.ok(err instanceof NetworkError)
    assert.equal(err.ambiguous, true)
    assert.equal(isAmbiguousWrite(err), true)
    assert.equal(err.kind, 'reset')
    assert.equal(err.exitCode, 6)
    assert.match(err.message, /^POST http:\/\/gridmap\.test:5000\/api\/maps\/m\/observers\/ failed: .*may or may not have applied it$/)
    assert.equal(events.length, 1)
  })

  it('does not retry a POST that timed out, and says it may have been applied', async () => {
    const {api, events} = retrying(3, 0.05)
    nock(S).post('/api/maps/').delay(500).reply(201, '', {Location: '/api/maps/a/'})
    const err = await failure(api.createMap({name: 'A', width: 1, height: 1}))
    assert.ok(err instanceof NetworkError)
    assert.equal(err.kind, 'timeout')
    assert.equal(err.ambiguous, true)
    assert.match(err.message, /no answer within 0\.05 s/)
    assert.equal(events.length, 1)
  })

  it('retries a refused POST, which certainly was not applied, and never calls it ambiguous', async () => {
    const {api, events} = retrying(1)
    const refused = () => socketError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5000')
    nock(S).post('/api/maps/').replyWithError(refused()).post('/api/maps/').replyWithError(refused())
    const err = await failure(api.createMap({name: 'A', width: 1, height: 1}))
    assert.ok(err instanceof NetworkError)
    assert.equal(err.kind, 'refused')
    assert.equal(err.ambiguous, false)
    assert.equal(isAmbiguousWrite(err), false)
    assert.match(err.message, /connection refused \(after 2 attempts\)$/)
    assert.equal(events.length, 2)
  })

  it('a refused POST retried successfully creates once', async () => {
    const {api, events} = retrying()
    nock(S).post('/api/maps/').replyWithError(socketError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5000')).post('/api/maps/').reply(201, '', {Location: '/api/maps/a/'})
    assert.deepEqual(await api.createMap({name: 'A', width: 1, height: 1}), {url: `${S}/api/maps/a/`})
    assert.equal(events.length, 2)
  })

  it('does not retry a POST a gateway gave up on, and calls it ambiguous', async () => {
    const {api, events} = retrying()
    nock(S).post('/api/maps/').reply(504)
    const err = await failure(api.createMap({name: 'A', width: 1, height: 1}))
    assert.ok(err instanceof HttpError)
    assert.equal(err.ambiguous, true)
    assert.equal(isAmbiguousWrite(err), true)
    assert.match(err.message, /answered 504 Gateway Timeout; the server may or may not have applied it$/)
    assert.equal(events.length, 1)
  })

  it('does not call a GET failure an ambiguous write', async () => {
    const {api} = retrying(0)
    nock(S).get('/api/maps/m/').replyWithError(socketError('ECONNRESET'))
    const err = await failure(api.getMap(MAP))
    assert.ok(err instanceof NetworkError)
    assert.equal(isAmbiguousWrite(err), false)
  })
})

describe('writes that may have been applied', () => {
  const OBSERVER = `${MAP}observers/e/`
  const E = {name: 'E', x: 0, y: 0, vision: null}

  it('calls a PUT whose every attempt broke off ambiguous', async () => {
    const {api, events} = retrying(1)
    nock(S).put('/api/maps/m/observers/e/').times(2).replyWithError(socketError('ECONNRESET', 'socket hang up'))
    const err = await failure(api.updateObserver(OBSERVER, E))
    assert.ok(err instanceof NetworkError)
    assert.equal(isAmbiguousWrite(err), true)
    assert.match(err.message, /may or may not have applied it$/)
    assert.equal(events.length, 2)
  })

  it('remembers an attempt that broke off, even when the last one was refused', async () => {
    const {api} = retrying(1)
    nock(S).delete('/api/maps/m/observers/e/').replyWithError(socketError('ECONNRESET')).delete('/api/maps/m/observers/e/').replyWithError(socketError('ECONNREFUSED'))
    const err = await failure(api.deleteObserver(OBSERVER))
    assert.ok(err instanceof NetworkError)
    assert.equal(err.kind, 'refused')
    assert.equal(isAmbiguousWrite(err), true)
  })

  it('remembers it when the last attempt is answered with an error', async () => {
    const {api} = retrying(1)
    nock(S).put('/api/maps/m/').replyWithError(socketError('ETIMEDOUT')).put('/api/maps/m/').reply(500, {message: 'database is locked'})
    const err = await failure(api.updateMap(MAP, {name: 'M', width: 2, height: 2}))
    assert.ok(err instanceof HttpError)
    assert.equal(err.status, 500)
    assert.equal(isAmbiguousWrite(err), true)
  })

  it('does not call a write ambiguous when no attempt can have reached the server', async () => {
    const {api} = retrying(1)
    nock(S).put('/api/maps/m/').reply(500, {message: 'database is locked'}).put('/api/maps/m/').replyWithError(socketError('ECONNREFUSED'))
    const err = await failure(api.updateMap(MAP, {name: 'M', width: 2, height: 2}))
    assert.ok(err instanceof NetworkError)
    assert.equal(isAmbiguousWrite(err), false)
  })

  it('calls a PUT a gateway gave up on ambiguous', async () => {
    const {api} = retrying(0)
    nock(S).put('/api/maps/m/').reply(504)
    const err = await failure(api.updateMap(MAP, {name: 'M', width: 2, height: 2}))
    assert.ok(err instanceof HttpError)
    assert.equal(isAmbiguousWrite(err), true)
  })
})
