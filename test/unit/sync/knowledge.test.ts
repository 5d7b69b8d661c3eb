import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {HttpError} from '../../../src/api/index.js'
import type {LocalMap, RemoteMapSummary} from '../../../src/model/types.js'
import {apply, type SyncClient} from '../../../src/sync/apply.js'
import type {JournalRecord} from '../../../src/sync/journal.js'
import {learn, type LearnClient} from '../../../src/sync/knowledge.js'
import {plan} from '../../../src/sync/plan.js'

const S = 'http://127.0.0.1:1'
const MAPS = `${S}/api/maps/`
const CACHE = 300_000
const SENT = Date.parse('2026-01-01T12:00:00Z')

/** The record a push leaves when it was killed while its create of map "M" was in flight: no URL is known. */
function createInFlight(): JournalRecord {
  const op = {id: 0, kind: 'createMap' as const, map: 'M', phase: 2 as const, dependsOn: [], reason: 'map is only in the files', body: {name: 'M', width: 4, height: 3}}
  return {
    url: '',
    before: null,
    after: {name: 'M', slug: '', url: '', width: 4, height: 3, observers: [], obstacles: []},
    at: new Date(SENT).toISOString(),
    wroteAt: new Date(SENT).toISOString(),
    refuted: [],
    run: 'r1',
    writes: [{op, state: 'uncertain'}],
  }
}

const listing =
  (...maps: RemoteMapSummary[]): LearnClient['listMaps'] =>
  async () =>
    maps
const noRead: LearnClient['getMap'] = async (url) => assert.fail(`no URL is known, yet ${url} was read`)
const learnAt = (now: number, listMaps = listing()) =>
  learn({listMaps, getMap: noRead}, {wanted: () => true, allRecorded: false, records: new Map([['M', createInFlight()]]), cacheMs: CACHE, now: () => now, concurrency: 1})
const local: LocalMap = {name: 'M', file: 'm.map', width: 4, height: 3, observers: [], obstacles: []}

describe('learn: a map whose create lost its answer, so that no URL of it is known', () => {
  it('is of unknown existence while the listing may predate the create, and says until when', async () => {
    const k = (await learnAt(SENT + 1000)).maps.get('M')!
    assert.equal(k.state, undefined)
    assert.deepEqual([k.evidence.kind, k.evidence.until, k.evidence.wroteAt], ['unlisted', SENT + CACHE, SENT])
    const p = plan({server: S, local: [local], invalid: [], knowledge: await learnAt(SENT + 1000), prune: false})
    assert.equal(p.maps[0]!.action, 'create')
    assert.match(p.maps[0]!.notes.join('\n'), /answer was lost.*cached answer until 12:05:00 UTC.*whether the map exists is not known/)
  })

  it('is absent once the listing was asked for the cache time after the create', async () => {
    const k = (await learnAt(SENT + CACHE)).maps.get('M')!
    assert.deepEqual([k.evidence.kind, k.evidence.until], ['unlisted', undefined])
  })

  it('is read where the listing shows it: the listing gives its URL', async () => {
    const summary = {name: 'M', slug: 'm', url: `${MAPS}m/`, width: 4, height: 3}
    const read = async (url: string) => ({...summary, url, observers: [], obstacles: []})
    const k = (
      await learn(
        {listMaps: listing(summary), getMap: read},
        {wanted: () => true, allRecorded: false, records: new Map([['M', createInFlight()]]), cacheMs: CACHE, now: () => SENT + 1000, concurrency: 1},
      )
    ).maps.get('M')!
    assert.equal(k.evidence.kind, 'read')
    assert.equal(k.url, `${MAPS}m/`)
  })
})

describe('apply: the create of a map of unknown existence', () => {
  const refused = new HttpError({method: 'POST', url: MAPS, attempts: 1}, 409, 'CONFLICT', "Map name 'M' already exists")
  const calls: string[] = []
  const client = {
    createMap: async () => {
      calls.push('createMap')
      throw refused
    },
    listMaps: async () => {
      calls.push('listMaps')
      return []
    },
  } as unknown as SyncClient

  it('takes a 409 the listing cannot explain for the earlier create: unconfirmed, never a clash to rename', async () => {
    const p = plan({server: S, local: [{...local, obstacles: [{x: 1, y: 1}]}], invalid: [], knowledge: await learnAt(SENT + 1000), prune: false})
    const {results} = await apply(p, client, {concurrency: 1})
    assert.equal(results[0]!.outcome, 'unconfirmed')
    assert.match(results[0]!.detail!, /409.*most likely the map an earlier create made.*cached answer until 12:05:00 UTC/)
    assert.doesNotMatch(results[0]!.detail!, /rename/)
    assert.equal(results[1]!.outcome, 'skipped', 'nothing is placed on a map whose URL is unknown')
    assert.deepEqual(calls, ['createMap', 'listMaps'])
  })

  it('calls the same 409 a clash once the listing is known to show the create', async () => {
    const p = plan({server: S, local: [local], invalid: [], knowledge: await learnAt(SENT + CACHE), prune: false})
    const {results} = await apply(p, client, {concurrency: 1})
    assert.equal(results[0]!.outcome, 'failed')
    assert.match(results[0]!.detail!, /rename this map/)
  })
})
