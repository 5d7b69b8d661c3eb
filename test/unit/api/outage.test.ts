import assert from 'node:assert/strict'
import {after, afterEach, before, describe, it} from 'node:test'

import nock from 'nock'

import {APIDataSource, HttpError, NetworkError} from '../../../src/api/index.js'
import {describeOutage, OutageWatch} from '../../../src/api/outage.js'
import {failure, socketError} from '../../helpers/errors.js'

/** A clock that moves only when told. */
function clock(): {now: () => number; advance: (ms: number) => void} {
  let time = 1_000_000
  return {now: () => time, advance: (ms) => (time += ms)}
}

describe('OutageWatch', () => {
  const policy = {minFailures: 3, minSilenceMs: 5000}

  it('calls the server gone only after enough failures in a row and enough time without an answer', () => {
    const c = clock()
    const watch = new OutageWatch(policy, c.now)
    watch.failed('connection refused')
    watch.failed('connection refused')
    c.advance(60_000)
    assert.equal(watch.outage(), undefined, 'two failures are not enough, however long the silence')
    watch.failed('connection refused')
    assert.deepEqual(watch.outage(), {failures: 3, silentMs: 60_000, lastFailure: 'connection refused'})
  })

  it('does not call a short blip an outage, however many attempts failed in it', () => {
    const c = clock()
    const watch = new OutageWatch(policy, c.now)
    for (let i = 0; i < 50; i++) {
      watch.failed('the connection was reset')
      c.advance(90)
    }

    assert.equal(watch.outage(), undefined)
    watch.answered()
    c.advance(10_000)
    watch.failed('connection refused')
    watch.failed('connection refused')
    assert.equal(watch.outage(), undefined, 'an answer starts the count again')
  })

  it('counts time from the last answer, and notices when asked, not only when an attempt fails', () => {
    const c = clock()
    const watch = new OutageWatch(policy, c.now)
    c.advance(2000)
    watch.answered()
    for (let i = 0; i < 3; i++) watch.failed('an answer of 503')
    c.advance(4999)
    assert.equal(watch.outage(), undefined)
    c.advance(1)
    assert.equal(watch.outage()?.lastFailure, 'an answer of 503')
  })

  it('stays gone once gone: a late answer does not start sending again', () => {
    const c = clock()
    const watch = new OutageWatch(policy, c.now)
    for (let i = 0; i < 3; i++) watch.failed('no answer within 30 s (timeout)')
    c.advance(30_000)
    const outage = watch.outage()
    assert.ok(outage)
    watch.answered()
    assert.deepEqual(watch.outage(), outage)
  })

  it('says what happened in words', () => {
    assert.equal(
      describeOutage({failures: 12, silentMs: 5230, lastFailure: 'connection refused'}),
      'the server stopped answering (the last 12 attempts got no usable answer, the last one: connection refused; none for 5.2 s)',
    )
  })
})

describe('APIDataSource once the server is gone', () => {
  const S = 'http://gridmap.test:5000'
  const clients: APIDataSource[] = []
  const make = () => {
    const api = new APIDataSource({server: S, retries: 5, retryBaseMs: 1, outagePolicy: {minFailures: 2, minSilenceMs: 0}})
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

  it('stops retrying, and sends nothing more, when every answer is 5xx', async () => {
    const api = make()
    nock(S).get('/api/maps/').times(2).reply(503, {message: 'down for maintenance'})
    const first = await failure(api.listMaps())
    assert.ok(first instanceof HttpError)
    assert.equal(first.attempts, 2, 'the retries end with the outage, not after all five')
    const second = await failure(api.listMaps())
    assert.ok(second instanceof NetworkError)
    assert.equal(second.notSent, true)
    assert.equal(second.ambiguous, false)
    assert.match(second.message, /failed: not sent: the server stopped answering \(the last 2 attempts got no usable answer, the last one: an answer of 503; none for /)
  })

  it('stops after refused connections too, and a 4xx answer counts as the server being there', async () => {
    const api = make()
    nock(S).get('/api/maps/m/').reply(404, 'gone').post('/api/maps/').replyWithError(socketError('ECONNREFUSED')).post('/api/maps/').replyWithError(socketError('ECONNREFUSED'))
    assert.equal(((await failure(api.getMap(`${S}/api/maps/m/`))) as HttpError).status, 404)
    assert.equal(api.outage(), undefined)
    const refused = await failure(api.createMap({name: 'M', width: 2, height: 2}))
    assert.ok(refused instanceof NetworkError)
    assert.equal(refused.notSent, false)
    assert.equal(api.outage()?.failures, 2)
    assert.equal(((await failure(api.getMap(`${S}/api/maps/m/`))) as NetworkError).notSent, true)
  })

  it('cuts off the requests still waiting on a server once it counts as gone', async () => {
    const api = make()
    nock(S).post('/api/maps/').delay(5000).reply(201, '', {Location: '/api/maps/m/'}).get('/api/maps/').times(2).reply(503, {message: 'down'})
    const waiting = failure(api.createMap({name: 'M', width: 2, height: 2}))
    const first = await failure(api.listMaps())
    assert.ok(first instanceof HttpError, 'the request that showed the outage ends with its own answer')
    const cut = await waiting
    assert.ok(cut instanceof NetworkError)
    assert.match(cut.message, /failed: cut off: the server stopped answering/)
    assert.equal(cut.ambiguous, true)
    nock.abortPendingRequests()
  })

  it('halt() cuts off what is under way and sends nothing after', async () => {
    const api = make()
    nock(S).post('/api/maps/').delay(5000).reply(201, '', {Location: '/api/maps/m/'})
    const pending = failure(api.createMap({name: 'M', width: 2, height: 2}))
    setTimeout(() => api.halt('interrupted by SIGINT'), 50)
    const cut = await pending
    assert.ok(cut instanceof NetworkError)
    assert.equal(cut.ambiguous, true, 'a write cut off may have been carried out')
    assert.match(cut.message, /cut off: interrupted by SIGINT/)
    assert.equal(api.stopReason(), 'interrupted by SIGINT')
    assert.equal(((await failure(api.listMaps())) as NetworkError).notSent, true)
    nock.abortPendingRequests()
  })
})
