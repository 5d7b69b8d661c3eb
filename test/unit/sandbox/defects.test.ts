import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {FaultRule, Sandbox, WriteRequest} from '../../../src/sandbox/index.js'
import {FakeClock, withSandbox} from '../../helpers/sandbox.js'
import {call} from './http.js'

const FANCY = {name: 'Fancy Map', width: 12, height: 6}

async function postObstacle(sandbox: Sandbox, x: number): Promise<number> {
  return (await call(sandbox, 'POST', '/api/maps/fancy-map/obstacles/', {x, y: 0})).status
}

function obstacleXs(sandbox: Sandbox): number[] {
  return sandbox.snapshot()[0]!.obstacles.map((o) => o.x)
}

describe('stale reads', () => {
  it('serves the map list, a map and an observer from the cache until the TTL runs out', async () => {
    const clock = new FakeClock()
    const seed = [{...FANCY, observers: [{name: 'Watcher', x: 0, y: 0}]}]
    await withSandbox({clock, seed, defects: {staleReadsTtlMs: 1000}}, async (sandbox) => {
      const before = await Promise.all([
        call(sandbox, 'GET', '/api/maps/'),
        call(sandbox, 'GET', '/api/maps/fancy-map/'),
        call(sandbox, 'GET', '/api/maps/fancy-map/observers/watcher/'),
      ])
      await call(sandbox, 'POST', '/api/maps/', {name: 'Second', width: 1, height: 1})
      await call(sandbox, 'POST', '/api/maps/fancy-map/obstacles/', {x: 1, y: 1})
      await call(sandbox, 'PUT', '/api/maps/fancy-map/observers/watcher/', {name: 'Watcher', x: 5, y: 5})
      assert.equal(sandbox.snapshot().length, 2)

      clock.advance(999)
      const cached = await Promise.all([
        call(sandbox, 'GET', '/api/maps/'),
        call(sandbox, 'GET', '/api/maps/fancy-map/'),
        call(sandbox, 'GET', '/api/maps/fancy-map/observers/watcher/'),
      ])
      assert.deepEqual(
        cached.map((a) => a.json()),
        before.map((a) => a.json()),
      )

      clock.advance(1)
      const fresh = await Promise.all([
        call(sandbox, 'GET', '/api/maps/'),
        call(sandbox, 'GET', '/api/maps/fancy-map/'),
        call(sandbox, 'GET', '/api/maps/fancy-map/observers/watcher/'),
      ])
      assert.equal(fresh[0].json().maps.length, 2)
      assert.deepEqual(fresh[1].json().obstacles, [{x: 1, y: 1}])
      assert.equal(fresh[2].json().x, 5)
    })
  })

  it('reads a map deleted and recreated under the same name as the old map', async () => {
    const clock = new FakeClock()
    await withSandbox({clock, seed: [{...FANCY, obstacles: [{x: 3, y: 3}]}], defects: {staleReadsTtlMs: 300_000}}, async (sandbox) => {
      await call(sandbox, 'GET', '/api/maps/fancy-map/')
      assert.equal((await call(sandbox, 'DELETE', '/api/maps/fancy-map/')).status, 204)
      assert.equal((await call(sandbox, 'POST', '/api/maps/', {...FANCY, width: 2})).status, 201)
      const read = (await call(sandbox, 'GET', '/api/maps/fancy-map/')).json()
      assert.deepEqual([read.width, read.obstacles], [12, [{x: 3, y: 3}]])
      assert.deepEqual(sandbox.snapshot()[0]!.obstacles, [])
    })
  })

  it('never caches a 404, so a new map is seen at once', async () => {
    const clock = new FakeClock()
    await withSandbox({clock, defects: {staleReadsTtlMs: 300_000}}, async (sandbox) => {
      assert.equal((await call(sandbox, 'GET', '/api/maps/fancy-map/')).status, 404)
      await call(sandbox, 'POST', '/api/maps/', FANCY)
      assert.equal((await call(sandbox, 'GET', '/api/maps/fancy-map/')).status, 200)
    })
  })

  it('answers 404 at once for a map or observer that is gone, whatever the cache holds, while the listing still shows it', async () => {
    const clock = new FakeClock()
    const seed = [{...FANCY, observers: [{name: 'Watcher', x: 0, y: 0}]}]
    await withSandbox({clock, seed, defects: {staleReadsTtlMs: 300_000}}, async (sandbox) => {
      await call(sandbox, 'GET', '/api/maps/')
      assert.equal((await call(sandbox, 'GET', '/api/maps/fancy-map/')).status, 200)
      assert.equal((await call(sandbox, 'GET', '/api/maps/fancy-map/observers/watcher/')).status, 200)
      assert.equal((await call(sandbox, 'DELETE', '/api/maps/fancy-map/')).status, 204)
      clock.advance(1000)
      assert.equal((await call(sandbox, 'GET', '/api/maps/fancy-map/')).status, 404)
      assert.equal((await call(sandbox, 'GET', '/api/maps/fancy-map/observers/watcher/')).status, 404)
      assert.equal((await call(sandbox, 'GET', '/api/maps/')).json().maps.length, 1)
    })
  })

  it('keeps JSON and Mason answers apart', async () => {
    await withSandbox({clock: new FakeClock(), seed: [FANCY], defects: {staleReadsTtlMs: 1000}}, async (sandbox) => {
      await call(sandbox, 'GET', '/api/maps/fancy-map/')
      const mason = await call(sandbox, 'GET', '/api/maps/fancy-map/', undefined, {Accept: 'application/vnd.mason+json'})
      assert.equal(mason.headers.get('content-type'), 'application/vnd.mason+json')
      assert.ok(mason.json()['@controls'])
    })
  })

  it('reads fresh once switched off or cleared, and always when off', async () => {
    const clock = new FakeClock()
    await withSandbox({clock, seed: [FANCY]}, async (sandbox) => {
      await call(sandbox, 'GET', '/api/maps/fancy-map/')
      await postObstacle(sandbox, 1)
      assert.equal((await call(sandbox, 'GET', '/api/maps/fancy-map/')).json().obstacles.length, 1)

      sandbox.defects.staleReadsTtlMs = 1000
      await call(sandbox, 'GET', '/api/maps/fancy-map/')
      await postObstacle(sandbox, 2)
      assert.equal((await call(sandbox, 'GET', '/api/maps/fancy-map/')).json().obstacles.length, 1)
      sandbox.clearCache()
      assert.equal((await call(sandbox, 'GET', '/api/maps/fancy-map/')).json().obstacles.length, 2)

      await postObstacle(sandbox, 3)
      assert.equal((await call(sandbox, 'GET', '/api/maps/fancy-map/')).json().obstacles.length, 2)
      sandbox.defects.staleReadsTtlMs = 0
      assert.equal((await call(sandbox, 'GET', '/api/maps/fancy-map/')).json().obstacles.length, 3)
    })
  })
})

describe('ignored obstacle deletes', () => {
  it('answers 204 and removes nothing when on; removes the obstacle when off', async () => {
    await withSandbox({seed: [{...FANCY, obstacles: [{x: 1, y: 0}]}], defects: {ignoreObstacleDeletes: true}}, async (sandbox) => {
      const answer = await call(sandbox, 'DELETE', '/api/maps/fancy-map/obstacles/1/0/')
      assert.equal(answer.status, 204)
      assert.equal(answer.text, '')
      assert.deepEqual(obstacleXs(sandbox), [1])
      assert.equal((await call(sandbox, 'DELETE', '/api/maps/fancy-map/obstacles/7/0/')).status, 404)

      sandbox.defects.ignoreObstacleDeletes = false
      assert.equal((await call(sandbox, 'DELETE', '/api/maps/fancy-map/obstacles/1/0/')).status, 204)
      assert.deepEqual(obstacleXs(sandbox), [])
    })
  })
})

describe('failures before a write', () => {
  async function statuses(rule: FaultRule, count: number): Promise<number[]> {
    return withSandbox({seed: [FANCY], defects: {failBeforeWrite: rule}}, async (sandbox) => {
      const result: number[] = []
      for (let x = 0; x < count; x++) result.push(await postObstacle(sandbox, x))
      return result
    })
  }

  it('answers 500 "database is locked" and writes nothing', async () => {
    await withSandbox({seed: [FANCY], defects: {failBeforeWrite: {next: 1}}}, async (sandbox) => {
      const answer = await call(sandbox, 'PUT', '/api/maps/fancy-map/', {name: 'Renamed', width: 1, height: 1})
      assert.equal(answer.status, 500)
      assert.equal(answer.headers.get('content-type'), 'application/json')
      assert.deepEqual(answer.json(), {message: 'database is locked'})
      assert.deepEqual(sandbox.snapshot()[0]!.name, 'Fancy Map')
    })
  })

  it('fails the next N writes, and never reads', async () => {
    await withSandbox({seed: [FANCY], defects: {failBeforeWrite: {next: 2}}}, async (sandbox) => {
      assert.equal((await call(sandbox, 'GET', '/api/maps/fancy-map/')).status, 200)
      assert.deepEqual([await postObstacle(sandbox, 0), await postObstacle(sandbox, 1), await postObstacle(sandbox, 2)], [500, 500, 201])
      assert.deepEqual(obstacleXs(sandbox), [2])
    })
  })

  it('fails every Nth write', async () => {
    assert.deepEqual(await statuses({every: 3}, 7), [201, 201, 500, 201, 201, 500, 201])
  })

  it('fails with a seeded probability, the same way for the same seed', async () => {
    const first = await statuses({probability: 0.5, seed: 42}, 40)
    assert.deepEqual(await statuses({probability: 0.5, seed: 42}, 40), first)
    assert.notDeepEqual(await statuses({probability: 0.5, seed: 7}, 40), first)
    const failed = first.filter((s) => s === 500).length
    assert.ok(failed > 0 && failed < 40, `${failed} of 40 failed`)
    assert.deepEqual(await statuses({probability: 0}, 5), [201, 201, 201, 201, 201])
    assert.deepEqual(await statuses({probability: 1}, 3), [500, 500, 500])
  })

  it('fails the writes a predicate picks', async () => {
    const seen: WriteRequest[] = []
    const rule = (write: WriteRequest): boolean => {
      seen.push(write)
      return write.path.endsWith('/obstacles/')
    }
    await withSandbox({seed: [FANCY], defects: {failBeforeWrite: rule}}, async (sandbox) => {
      assert.equal(await postObstacle(sandbox, 0), 500)
      assert.equal((await call(sandbox, 'POST', '/api/maps/fancy-map/observers/', {name: 'A', x: 0, y: 0})).status, 201)
      assert.deepEqual(seen, [
        {method: 'POST', path: '/api/maps/fancy-map/obstacles/'},
        {method: 'POST', path: '/api/maps/fancy-map/observers/'},
      ])
    })
  })

  it('starts counting afresh for a new rule object', async () => {
    await withSandbox({seed: [FANCY]}, async (sandbox) => {
      sandbox.defects.failBeforeWrite = {next: 1}
      assert.deepEqual([await postObstacle(sandbox, 0), await postObstacle(sandbox, 1)], [500, 201])
      sandbox.defects.failBeforeWrite = {next: 1}
      assert.deepEqual([await postObstacle(sandbox, 2), await postObstacle(sandbox, 3)], [500, 201])
      sandbox.reset()
      assert.equal(sandbox.defects.failBeforeWrite, undefined)
      assert.equal(await postObstacle(sandbox, 4), 201)
    })
  })
})

describe('dropped answers after a write', () => {
  it('commits the write, then closes the connection without an answer', async () => {
    await withSandbox({seed: [FANCY], defects: {dropAfterWrite: {next: 1}}}, async (sandbox) => {
      await assert.rejects(call(sandbox, 'POST', '/api/maps/fancy-map/obstacles/', {x: 4, y: 0}), TypeError)
      assert.deepEqual(obstacleXs(sandbox), [4])
      assert.equal(await postObstacle(sandbox, 5), 201)
      assert.deepEqual(obstacleXs(sandbox), [4, 5])
    })
  })

  it('answers writes that fail as usual, without counting them', async () => {
    await withSandbox({seed: [FANCY], defects: {dropAfterWrite: {next: 1}}}, async (sandbox) => {
      assert.equal(await postObstacle(sandbox, 99), 400)
      await assert.rejects(call(sandbox, 'DELETE', '/api/maps/fancy-map/'), TypeError)
      assert.deepEqual(sandbox.snapshot(), [])
    })
  })
})

describe('latency and insert cost', () => {
  it('waits latencyMs before every answer when set, and not otherwise', async () => {
    const clock = new FakeClock()
    await withSandbox({clock, seed: [FANCY], defects: {latencyMs: 25}}, async (sandbox) => {
      await call(sandbox, 'GET', '/api/maps/')
      await postObstacle(sandbox, 1)
      await call(sandbox, 'GET', '/nowhere/')
      assert.deepEqual(clock.sleeps, [25, 25, 25])
      sandbox.defects.latencyMs = 0
      await call(sandbox, 'GET', '/api/maps/')
      assert.deepEqual(clock.sleeps, [25, 25, 25])
    })
  })

  it('makes observer and obstacle inserts wait per object already on the map', async () => {
    const clock = new FakeClock()
    const seed = [
      {
        ...FANCY,
        observers: [{name: 'Watcher', x: 0, y: 0}],
        obstacles: [
          {x: 1, y: 1},
          {x: 2, y: 2},
        ],
      },
    ]
    await withSandbox({clock, seed, defects: {insertCostMs: 2}}, async (sandbox) => {
      await postObstacle(sandbox, 3)
      await call(sandbox, 'POST', '/api/maps/fancy-map/observers/', {name: 'Second', x: 0, y: 0})
      await call(sandbox, 'PUT', '/api/maps/fancy-map/', FANCY)
      assert.deepEqual(clock.sleeps, [6, 8])
    })
  })
})

describe('concurrency limit', () => {
  it('answers 500 database locked to requests beyond the limit in flight', async () => {
    const clock = new FakeClock()
    await withSandbox({clock, seed: [FANCY], defects: {latencyMs: 5, concurrencyLimit: 1}}, async (sandbox) => {
      clock.hold()
      const first = call(sandbox, 'GET', '/api/maps/fancy-map/')
      await clock.sleepsStarted(1)
      const second = call(sandbox, 'POST', '/api/maps/fancy-map/obstacles/', {x: 1, y: 1})
      await clock.sleepsStarted(2)
      clock.release()
      const [a, b] = await Promise.all([first, second])
      assert.equal(a.status, 200)
      assert.equal(b.status, 500)
      assert.deepEqual(b.json(), {message: 'database is locked'})
      assert.deepEqual(obstacleXs(sandbox), [])
      assert.equal(await postObstacle(sandbox, 1), 201)
    })
  })

  it('closes connections with requests in flight when it closes', {timeout: 20_000}, async () => {
    const clock = new FakeClock()
    await withSandbox({clock, defects: {latencyMs: 5}}, async (sandbox) => {
      clock.hold()
      const pending = call(sandbox, 'GET', '/api/maps/')
      await clock.sleepsStarted(1)
      await sandbox.close()
      await assert.rejects(pending, TypeError)
      clock.release()
    })
  })
})
