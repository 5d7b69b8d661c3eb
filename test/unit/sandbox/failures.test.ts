import assert from 'node:assert/strict'
import {request} from 'node:http'
import {describe, it} from 'node:test'

import type {Sandbox} from '../../../src/sandbox/index.js'
import {FakeClock, withSandbox} from '../../helpers/sandbox.js'
import {call} from './http.js'

const FANCY = {name: 'Fancy Map', width: 12, height: 6}

async function postObstacle(sandbox: Sandbox, x: number): Promise<number> {
  return (await call(sandbox, 'POST', '/api/maps/fancy-map/obstacles/', {x, y: 0})).status
}

function obstacleXs(sandbox: Sandbox): number[] {
  return sandbox.snapshot()[0]!.obstacles.map((o) => o.x)
}

/** A GET with node:http, to see exactly what arrives: the status, the announced length and the bytes before the end. */
function rawGet(sandbox: Sandbox, path: string): Promise<{status: number; length: number; received: number; aborted: boolean}> {
  return new Promise((resolve, reject) => {
    const req = request(`${sandbox.url}${path}`, (res) => {
      let received = 0
      res.on('data', (chunk: Buffer) => (received += chunk.length))
      const done = (aborted: boolean) => resolve({status: res.statusCode!, length: Number(res.headers['content-length']), received, aborted})
      res.on('end', () => done(false))
      res.on('aborted', () => done(true))
      res.on('error', () => done(true))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('429 with Retry-After', () => {
  it('answers 429 with the configured Retry-After to the requests the rule picks, writing nothing', async () => {
    await withSandbox({seed: [FANCY], defects: {throttle: {every: 2}, retryAfterSeconds: 7}}, async (sandbox) => {
      assert.equal((await call(sandbox, 'GET', '/api/maps/')).status, 200)
      const throttled = await call(sandbox, 'POST', '/api/maps/fancy-map/obstacles/', {x: 1, y: 0})
      assert.equal(throttled.status, 429)
      assert.equal(throttled.headers.get('retry-after'), '7')
      assert.equal(typeof throttled.json().message, 'string')
      assert.deepEqual(obstacleXs(sandbox), [])
      assert.equal(await postObstacle(sandbox, 2), 201)
      assert.equal((await call(sandbox, 'GET', '/api/maps/fancy-map/')).status, 429)
      assert.deepEqual(obstacleXs(sandbox), [2])
      assert.equal(sandbox.stats.faults.throttle, 2)
    })
  })

  it('says Retry-After: 1 unless told otherwise', async () => {
    await withSandbox({defects: {throttle: {next: 1}}}, async (sandbox) => {
      assert.equal((await call(sandbox, 'GET', '/api/maps/')).headers.get('retry-after'), '1')
    })
  })
})

describe('stalled requests', () => {
  it('holds a request stallMs before handling it, then carries it out', async () => {
    const clock = new FakeClock()
    await withSandbox({clock, seed: [FANCY], defects: {stall: {next: 1}, stallMs: 3000}}, async (sandbox) => {
      clock.hold()
      const pending = postObstacle(sandbox, 3)
      await clock.sleepsStarted(1)
      assert.deepEqual(obstacleXs(sandbox), [], 'not carried out while held')
      let idle = false
      const idled = sandbox.idle().then(() => (idle = true))
      await new Promise((resolve) => setTimeout(resolve, 20))
      assert.equal(idle, false, 'not idle while a request is held')
      clock.release()
      assert.equal(await pending, 201)
      await idled
      assert.deepEqual(obstacleXs(sandbox), [3])
      assert.deepEqual(clock.sleeps, [3000])
      assert.equal(await postObstacle(sandbox, 4), 201)
      assert.deepEqual(clock.sleeps, [3000], 'only the requests the rule picks are held')
    })
  })

  it('carries out a held write even when the client gave up waiting', async () => {
    const clock = new FakeClock()
    await withSandbox({clock, seed: [FANCY], defects: {stall: {next: 1}, stallMs: 300}}, async (sandbox) => {
      clock.hold()
      const giveUp = new AbortController()
      const gaveUp = fetch(`${sandbox.url}/api/maps/fancy-map/obstacles/`, {
        method: 'POST',
        headers: {'content-type': 'application/json'},
        body: JSON.stringify({x: 5, y: 0}),
        signal: giveUp.signal,
      })
      await clock.sleepsStarted(1)
      giveUp.abort()
      await assert.rejects(gaveUp, /abort/i)
      assert.deepEqual(obstacleXs(sandbox), [])
      clock.release()
      await sandbox.idle()
      assert.deepEqual(obstacleXs(sandbox), [5])
    })
  })
})

describe('truncated bodies', () => {
  it('announces the whole body, sends half, and closes the connection', async () => {
    await withSandbox({seed: [FANCY], defects: {truncateBody: {next: 1}}}, async (sandbox) => {
      const cut = await rawGet(sandbox, '/api/maps/fancy-map/')
      assert.equal(cut.status, 200)
      assert.equal(cut.aborted, true)
      assert.ok(cut.received < cut.length, `${cut.received} of ${cut.length} bytes`)
      const whole = await rawGet(sandbox, '/api/maps/fancy-map/')
      assert.deepEqual([whole.aborted, whole.received], [false, cut.length])
      assert.equal(sandbox.stats.faults.truncateBody, 1)
    })
  })

  it('leaves answers without a body alone', async () => {
    await withSandbox({seed: [FANCY], defects: {truncateBody: {next: 1}}}, async (sandbox) => {
      assert.equal(await postObstacle(sandbox, 1), 201)
      assert.equal((await call(sandbox, 'DELETE', '/api/maps/fancy-map/obstacles/1/0/')).status, 204)
      await assert.rejects(call(sandbox, 'POST', '/api/maps/fancy-map/obstacles/', {x: 99, y: 0}), TypeError, 'the 400 body is cut off')
      assert.equal(sandbox.stats.faults.truncateBody, 1, 'the 201 without a body was not picked')
    })
  })
})

describe('bodies that are not JSON', () => {
  it('replaces the body of an answer with an HTML page, keeping its status and Location', async () => {
    await withSandbox({seed: [FANCY], defects: {garbleBody: {every: 1}}}, async (sandbox) => {
      const read = await call(sandbox, 'GET', '/api/maps/fancy-map/')
      assert.equal(read.status, 200)
      assert.match(read.headers.get('content-type')!, /^text\/html/)
      assert.throws(() => read.json(), SyntaxError)
      const created = await call(sandbox, 'POST', '/api/maps/fancy-map/obstacles/', {x: 2, y: 0})
      assert.equal(created.status, 201)
      assert.equal(created.headers.get('location'), '/api/maps/fancy-map/obstacles/2/0/')
      assert.match(created.text, /<html/)
      assert.equal((await call(sandbox, 'DELETE', '/api/maps/fancy-map/obstacles/2/0/')).status, 204)
      assert.equal(sandbox.stats.faults.garbleBody, 2, 'a 204 is not picked')
    })
  })
})

describe('outages', () => {
  it('drops the request, refuses connections for outageMs, then answers again with its data', async () => {
    const clock = new FakeClock()
    await withSandbox({clock, seed: [FANCY], defects: {outage: {next: 1}, outageMs: 2000, staleReadsTtlMs: 60_000}}, async (sandbox) => {
      clock.hold()
      await assert.rejects(call(sandbox, 'POST', '/api/maps/fancy-map/obstacles/', {x: 1, y: 0}), TypeError)
      await clock.sleepsStarted(1)
      await assert.rejects(call(sandbox, 'GET', '/api/maps/'), TypeError, 'nothing listens during the outage')
      assert.deepEqual(obstacleXs(sandbox), [], 'the request that met the outage was not handled')
      clock.release()
      await sandbox.idle()
      assert.deepEqual(clock.sleeps, [2000])
      assert.equal((await call(sandbox, 'GET', '/api/maps/')).json().maps.length, 1)
      assert.equal(await postObstacle(sandbox, 2), 201)
      assert.deepEqual(obstacleXs(sandbox), [2])
      assert.equal(sandbox.stats.faults.outage, 1)
    })
  })

  it('closes connections kept alive, and empties the read cache as a restart does', async () => {
    await withSandbox({seed: [FANCY], defects: {outageMs: 10, staleReadsTtlMs: 60_000}}, async (sandbox) => {
      await call(sandbox, 'GET', '/api/maps/fancy-map/')
      assert.equal(await postObstacle(sandbox, 1), 201)
      assert.deepEqual((await call(sandbox, 'GET', '/api/maps/fancy-map/')).json().obstacles, [], 'cached')
      sandbox.defects.outage = {next: 1}
      await assert.rejects(call(sandbox, 'GET', '/api/maps/'))
      await sandbox.idle()
      assert.deepEqual((await call(sandbox, 'GET', '/api/maps/fancy-map/')).json().obstacles, [{x: 1, y: 0}])
    })
  })

  it('stays closed when closed during an outage', async () => {
    const clock = new FakeClock()
    await withSandbox({clock, defects: {outage: {next: 1}}}, async (sandbox) => {
      clock.hold()
      await assert.rejects(call(sandbox, 'GET', '/api/maps/'))
      await clock.sleepsStarted(1)
      await sandbox.close()
      clock.release()
      await sandbox.idle()
      await assert.rejects(call(sandbox, 'GET', '/api/maps/'), TypeError)
    })
  })
})

describe('statistics of writes and faults', () => {
  it('counts the writes that succeeded, answered or not, and each defect that changed an answer', async () => {
    const seed = [{...FANCY, obstacles: [{x: 0, y: 0}]}]
    await withSandbox({seed, defects: {dropAfterWrite: {next: 1}, failBeforeWrite: {every: 3}, ignoreObstacleDeletes: true, staleReadsTtlMs: 60_000}}, async (sandbox) => {
      await assert.rejects(call(sandbox, 'POST', '/api/maps/fancy-map/obstacles/', {x: 1, y: 0}))
      assert.equal(await postObstacle(sandbox, 99), 400)
      assert.equal(await postObstacle(sandbox, 2), 500)
      assert.equal((await call(sandbox, 'DELETE', '/api/maps/fancy-map/obstacles/0/0/')).status, 204)
      await call(sandbox, 'GET', '/api/maps/')
      await call(sandbox, 'GET', '/api/maps/')
      assert.deepEqual(sandbox.stats.succeeded, {
        'POST /api/maps/<map>/obstacles/': 1,
        'DELETE /api/maps/<map>/obstacles/<x>/<y>/': 1,
      })
      assert.deepEqual(sandbox.stats.faults, {dropAfterWrite: 1, failBeforeWrite: 1, ignoreObstacleDeletes: 1, staleReadsTtlMs: 1})
      sandbox.resetStats()
      assert.deepEqual(sandbox.stats, {total: 0, byRoute: {}, succeeded: {}, faults: {}})
    })
  })
})
