import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {ContractError, HttpError, NetworkError} from '../../../src/api/index.js'
import type {LocalMap, RemoteMap} from '../../../src/model/types.js'
import {apply, type SyncClient} from '../../../src/sync/apply.js'
import {learn} from '../../../src/sync/knowledge.js'
import {plan} from '../../../src/sync/plan.js'
import type {Plan} from '../../../src/sync/plan-types.js'
import type {ApplyResult, MapVerification} from '../../../src/sync/result-types.js'
import {readBacks} from '../../../src/sync/verify.js'
import {knowledgeOf, type ServerEntry} from '../../helpers/knowledge.js'

const S = 'http://127.0.0.1:1'
const URL = `${S}/api/maps/m/`
const OBSERVER_URL = `${URL}observers/eve/`

const request = (method: string, url: string) => ({method, url, attempts: 2})
const lost = (method: string, url: string) => new NetworkError(request(method, url), {kind: 'reset', reason: 'the connection was reset', ambiguous: method !== 'GET'})
const refused = (method: string, url: string) => new NetworkError(request(method, url), {kind: 'refused', reason: 'connection refused', ambiguous: false})

/** A client whose every method fails unless the test scripts it. */
function client(over: Partial<SyncClient>): SyncClient & {calls: string[]} {
  const calls: string[] = []
  const unscripted = (name: string) => async () => {
    calls.push(name)
    throw new Error(`unexpected call: ${name}`)
  }
  const base: SyncClient = {
    listMaps: unscripted('listMaps'),
    getMap: unscripted('getMap'),
    createMap: unscripted('createMap'),
    updateMap: unscripted('updateMap'),
    deleteMap: unscripted('deleteMap'),
    createObserver: unscripted('createObserver'),
    updateObserver: unscripted('updateObserver'),
    deleteObserver: unscripted('deleteObserver'),
    createObstacle: unscripted('createObstacle'),
    deleteObstacle: unscripted('deleteObstacle'),
  }
  const wrapped = Object.fromEntries(
    Object.entries({...base, ...over}).map(([name, fn]) => [
      name,
      (...args: unknown[]) => {
        if (name in over) calls.push(name)
        return (fn as (...a: unknown[]) => Promise<unknown>)(...args)
      },
    ]),
  ) as unknown as SyncClient
  return Object.assign(wrapped, {calls})
}

const local = (over: Partial<LocalMap> = {}): LocalMap => ({name: 'M', file: 'm.map', width: 4, height: 4, observers: [], obstacles: [], ...over})
const remote = (over: Partial<RemoteMap> = {}): ServerEntry => ({map: {name: 'M', slug: 'm', url: URL, width: 4, height: 4, observers: [], obstacles: [], ...over}})
const planFor = (l: LocalMap, r?: ServerEntry) => plan({server: S, local: [l], invalid: [], knowledge: knowledgeOf(r ? [r] : []), prune: false})

/** Every touched map's read-back, one after another. */
async function verify(p: Plan, applied: ApplyResult, c: SyncClient): Promise<MapVerification[]> {
  const out: MapVerification[] = []
  for (const f of readBacks(p, c, {starts: new Map(), cacheMs: 300_000, now: Date.now}, (v) => out.push(v))) {
    await f.run(applied.results.filter((r) => r.op.map === f.map))
  }

  return out
}

describe('apply: writes whose outcome is not known', () => {
  it('calls a PUT whose answer was lost after its retries unconfirmed, not failed', async () => {
    const eve = {name: 'Eve', slug: 'eve', url: OBSERVER_URL, x: 0, y: 0, vision: null}
    const p = planFor(local({observers: [{name: 'Eve', x: 1, y: 1, vision: null, symbol: 'a'}]}), remote({observers: [eve]}))
    const c = client({updateObserver: async () => Promise.reject(lost('PUT', OBSERVER_URL))})
    const {results, counts} = await apply(p, c, {concurrency: 1})
    assert.equal(results[0]!.outcome, 'unconfirmed')
    assert.match(results[0]!.detail!, /may or may not have applied it; whether it was carried out is settled by the next run's read$/)
    assert.equal(counts.failed, 0)
  })

  it('calls a write that certainly never arrived failed', async () => {
    const p = planFor(local({obstacles: [{x: 1, y: 1}]}), remote())
    const c = client({createObstacle: async () => Promise.reject(refused('POST', `${URL}obstacles/`))})
    const {results} = await apply(p, c, {concurrency: 1})
    assert.equal(results[0]!.outcome, 'failed')
  })

  it('keeps a lost create unconfirmed when the read that should settle it fails too', async () => {
    const p = planFor(local({obstacles: [{x: 1, y: 1}]}), remote())
    const c = client({
      createObstacle: async () => Promise.reject(lost('POST', `${URL}obstacles/`)),
      getMap: async () => Promise.reject(new ContractError(`GET ${URL}`, 'the body is not JSON (text/html)')),
    })
    const {results} = await apply(p, c, {concurrency: 1})
    assert.equal(results[0]!.outcome, 'unconfirmed')
    assert.match(results[0]!.detail!, /then, reading to check: .*not JSON/)
    assert.deepEqual(c.calls, ['createObstacle', 'getMap'], 'not sent again')
  })

  it('still calls a refused create (409) whose check fails failed: nothing was written', async () => {
    const p = planFor(local({obstacles: [{x: 1, y: 1}]}), remote())
    const c = client({
      createObstacle: async () => Promise.reject(new HttpError(request('POST', `${URL}obstacles/`), 409, 'Conflict')),
      getMap: async () => Promise.reject(refused('GET', URL)),
    })
    assert.equal((await apply(p, c, {concurrency: 1})).results[0]!.outcome, 'failed')
  })

  it('calls a create answered with success but a Location elsewhere unconfirmed, follows nothing, sends nothing again', async () => {
    const p = planFor(local({obstacles: [{x: 1, y: 1}]}))
    const c = client({
      createMap: async () => Promise.reject(new ContractError(`POST ${S}/api/maps/`, 'the Location header "http://elsewhere/" points to another server', {written: true})),
    })
    const {results} = await apply(p, c, {concurrency: 1})
    assert.deepEqual(
      results.map((r) => r.outcome),
      ['unconfirmed', 'skipped'],
    )
    assert.match(results[0]!.detail!, /points to another server; the server answered as if it was done, so it is not sent again$/)
    assert.deepEqual(c.calls, ['createMap'])
  })

  it('skips, without sending, what needs the URL of a map whose create is not confirmed yet', async () => {
    // The journal stands in for a stale listing: the map was created, but its answer was lost.
    const fromJournal: ServerEntry = {...remote({url: '', slug: ''}), assumed: true}
    const p = planFor(local({obstacles: [{x: 1, y: 1}]}), fromJournal)
    const c = client({})
    const {results} = await apply(p, c, {concurrency: 1})
    assert.equal(results[0]!.outcome, 'skipped')
    assert.match(results[0]!.detail!, /^map "M" is not confirmed on the server yet/)
    assert.deepEqual(c.calls, [])
  })
})

describe('verify: a map that cannot be read back', () => {
  it('is unconfirmed, with the reason, and the rest of the report stands', async () => {
    const p = planFor(local({obstacles: [{x: 1, y: 1}]}), remote())
    const c = client({
      createObstacle: async () => ({url: `${URL}obstacles/1/1/`}),
      getMap: async () => Promise.reject(refused('GET', URL)),
    })
    const applied = await apply(p, c, {concurrency: 1})
    const v = await verify(p, applied, c)
    assert.deepEqual(
      v.map((m) => [m.verdict, m.differences]),
      [['unconfirmed', [`it could not be read back: GET ${URL} failed: connection refused (after 2 attempts)`]]],
    )
  })

  it('never swallows a programming error', async () => {
    const p = planFor(local({obstacles: [{x: 1, y: 1}]}), remote())
    const c = client({createObstacle: async () => ({url: ''}), getMap: async () => Promise.reject(new TypeError('oops'))})
    await assert.rejects(verify(p, await apply(p, c, {concurrency: 1}), c), TypeError)
  })
})

describe('learn: a map gridsync deleted that the listing still shows', () => {
  const summary = {name: 'Gone', slug: 'gone', url: `${S}/api/maps/gone/`, width: 2, height: 2}
  const record = {url: summary.url, before: null, after: null, at: new Date().toISOString(), wroteAt: new Date().toISOString(), refuted: [], run: 'r', writes: []}
  const learnWith = async (getMap: SyncClient['getMap']) =>
    learn(
      {listMaps: async () => [summary], getMap},
      {wanted: () => false, allRecorded: false, records: new Map([['Gone', record]]), cacheMs: 60_000, now: Date.now, concurrency: 1},
    )

  it('asks its URL: a 404 proves the listing is a cached one, and the map is gone', async () => {
    const k = await learnWith(async () => Promise.reject(new HttpError(request('GET', summary.url), 404, 'Not Found')))
    assert.equal(k.maps.get('Gone')!.evidence.kind, 'gone')
    assert.deepEqual(plan({server: S, local: [], invalid: [], knowledge: k, prune: false}).maps, [])
  })

  it('trusts a 200: the map is there now (made again, or the delete did not happen)', async () => {
    const body: RemoteMap = {...summary, width: 9, observers: [], obstacles: []}
    const k = await learnWith(async () => body)
    assert.equal(k.maps.get('Gone')!.evidence.kind, 'read')
    assert.deepEqual(
      plan({server: S, local: [], invalid: [], knowledge: k, prune: false}).maps.map((m) => [m.name, m.action]),
      [['Gone', 'untracked']],
    )
  })
})

describe('apply: one stream of operations', () => {
  const planOfMaps = (locals: LocalMap[], remotes: ServerEntry[]) => plan({server: S, local: locals, invalid: [], knowledge: knowledgeOf(remotes), prune: false})
  const obstacles = (n: number) => Array.from({length: n}, (_, x) => ({x, y: 0}))

  it('records each operation before it is sent, with the ones ready after it, and never one that will be skipped', async () => {
    // "M" is on the server and gains 3 obstacles; "N" is new, its create fails, so its 2 obstacles are skipped.
    const p = planOfMaps([local({obstacles: obstacles(3)}), local({name: 'N', file: 'n.map', obstacles: obstacles(2)})], [remote()])
    const events: string[] = []
    const recorded = new Set<number>()
    const c = client({
      createMap: async () => Promise.reject(new HttpError(request('POST', `${S}/api/maps/`), 400, 'Bad Request', 'no', false)),
      async createObstacle(_url, position) {
        events.push(`send ${position.x}`)
      },
    })
    const {results} = await apply(p, c, {
      concurrency: 1,
      lookahead: 2,
      async record(ops) {
        for (const op of ops) {
          assert.ok(!recorded.has(op.id), `operation ${op.id} recorded twice`)
          recorded.add(op.id)
        }

        events.push(`record ${ops.map((op) => (op.kind === 'createMap' ? 'map' : `${op.map}:${op.kind === 'createObstacle' ? op.position.x : '?'}`)).join(',')}`)
      },
    })
    const byKind = results.map((r) => `${r.op.map}:${r.op.kind}:${r.outcome}`)
    assert.deepEqual(
      byKind.filter((k) => k.startsWith('N')),
      ['N:createMap:failed', 'N:createObstacle:skipped', 'N:createObstacle:skipped'],
    )
    assert.equal(byKind.filter((k) => k === 'M:createObstacle:applied').length, 3)
    // The create of N comes first; M's obstacles are recorded two at a time (the lookahead), N's never.
    assert.deepEqual(events, ['record map,M:0', 'send 0', 'record M:1,M:2', 'send 1', 'send 2'])
  })

  it('places on a map as soon as it exists, without waiting for the creates of other maps', async () => {
    const p = planOfMaps([local({name: 'A', file: 'a.map', obstacles: obstacles(1)}), local({name: 'B', file: 'b.map', obstacles: obstacles(1)})], [])
    let releaseB!: () => void
    const bCreated = new Promise<void>((resolve) => {
      releaseB = resolve
    })
    const order: string[] = []
    const c = client({
      async createMap(body) {
        if (body.name === 'B') await bCreated
        order.push(`map ${body.name}`)
        return {url: `${S}/api/maps/${body.name.toLowerCase()}/`}
      },
      async createObstacle(url) {
        order.push(`obstacle ${url.split('/').at(-2)}`)
        if (url.includes('/a/')) releaseB()
      },
    })
    await apply(p, c, {concurrency: 2})
    assert.deepEqual(order, ['map A', 'obstacle a', 'map B', 'obstacle b'])
  })

  it("runs a map's follow-up once all its operations have ended, while other maps' operations go on", async () => {
    const p = planOfMaps(
      [local({name: 'A', file: 'a.map', obstacles: obstacles(1)}), local({name: 'B', file: 'b.map', obstacles: obstacles(3)})],
      [remote({name: 'A', slug: 'a', url: `${S}/api/maps/a/`}), remote({name: 'B', slug: 'b', url: `${S}/api/maps/b/`})],
    )
    const order: string[] = []
    const c = client({
      async createObstacle(url, position) {
        order.push(`${url.split('/').at(-2)}:${position.x}`)
      },
    })
    const seen: Record<string, string[]> = {}
    await apply(p, c, {
      concurrency: 1,
      followUps: ['A', 'B'].map((map) => ({
        map,
        async run(results) {
          seen[map] = results.map((r) => r.outcome)
          order.push(`check ${map}`)
        },
      })),
    })
    assert.deepEqual(seen, {A: ['applied'], B: ['applied', 'applied', 'applied']})
    // A's check waits for nothing but A's obstacle; with one lane it runs once no operation is ready.
    assert.ok(order.indexOf('check A') > order.indexOf('a:0'))
    assert.equal(order.at(-1), 'check B')
    assert.equal(order.filter((o) => o.startsWith('b:')).length, 3)
  })
})
