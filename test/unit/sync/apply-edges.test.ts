import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {HttpError, NetworkError} from '../../../src/api/index.js'
import {ExitCode} from '../../../src/exit-codes.js'
import type {LocalMap, RemoteMapSummary} from '../../../src/model/types.js'
import {apply, type SyncClient} from '../../../src/sync/apply.js'
import {haltNotice, type Halt} from '../../../src/sync/halt.js'
import {plan} from '../../../src/sync/plan.js'
import {knowledgeOf} from '../../helpers/knowledge.js'

const S = 'http://127.0.0.1:1'
const MAPS = `${S}/api/maps/`

/** A client that answers what the test scripts and refuses anything else. */
function client(over: Partial<SyncClient>): SyncClient & {calls: string[]} {
  const calls: string[] = []
  const names = ['listMaps', 'getMap', 'createMap', 'updateMap', 'deleteMap', 'createObserver', 'updateObserver', 'deleteObserver', 'createObstacle', 'deleteObstacle'] as const
  const methods = Object.fromEntries(
    names.map((name) => [
      name,
      async (...args: unknown[]) => {
        calls.push(name)
        const fn = over[name] as ((...a: unknown[]) => Promise<unknown>) | undefined
        if (!fn) throw new Error(`unexpected call: ${name}`)
        return fn(...args)
      },
    ]),
  ) as unknown as SyncClient
  return Object.assign(methods, {calls})
}

const local = (name: string, over: Partial<LocalMap> = {}): LocalMap => ({name, file: `${name}.map`, width: 9, height: 9, observers: [], obstacles: [], ...over})
const obstacles = (n: number) => Array.from({length: n}, (_, x) => ({x, y: 0}))
const planOf = (...maps: LocalMap[]) => plan({server: S, local: maps, invalid: [], knowledge: knowledgeOf([]), prune: false})
const summary = (name: string, slug: string): RemoteMapSummary => ({name, slug, url: `${MAPS}${slug}/`, width: 9, height: 9})

describe('apply: a halt stops sending', () => {
  it('sends nothing once halted: what is left is skipped as not sent, never failed, and the result says why', async () => {
    const p = planOf(local('M', {obstacles: obstacles(6)}))
    let sent = 0
    let halt: Halt | undefined
    const c = client({
      createMap: async () => ({url: `${MAPS}m/`}),
      async createObstacle() {
        if (++sent === 2) halt = {reason: 'the server stopped answering (test)', exitCode: ExitCode.NETWORK}
      },
    })
    const result = await apply(p, c, {concurrency: 1, halt: () => halt})
    assert.deepEqual(
      result.results.map((r) => r.outcome),
      ['applied', 'applied', 'applied', 'skipped', 'skipped', 'skipped', 'skipped'],
    )
    assert.equal(result.results[3]!.detail, 'not sent: the server stopped answering (test)')
    assert.deepEqual(result.halted, halt)
    assert.equal(c.calls.filter((name) => name === 'createObstacle').length, 2)
    assert.equal(haltNotice(result.halted!, result), 'Stopped sending: the server stopped answering (test). 3 of 7 operations were sent; 4 were not and are left for the next run.')
  })

  it('reads back no map once halted', async () => {
    const p = planOf(local('M', {obstacles: obstacles(1)}))
    let halt: Halt | undefined
    const c = client({createMap: async () => ({url: `${MAPS}m/`}), createObstacle: async () => {}})
    let readBack = false
    const result = await apply(p, c, {
      concurrency: 1,
      record: async (ops) => {
        if (ops.some((op) => op.kind === 'createObstacle')) halt = {reason: 'interrupted by SIGINT', exitCode: ExitCode.INTERRUPTED}
      },
      halt: () => halt,
      followUps: [{map: 'M', run: async () => void (readBack = true)}],
    })
    assert.equal(readBack, false)
    assert.equal(result.halted?.exitCode, ExitCode.INTERRUPTED)
    assert.deepEqual(
      result.results.map((r) => r.outcome),
      ['applied', 'skipped'],
      'the operation halted after it was recorded is not sent',
    )
  })

  it('calls an operation the client refused to send skipped, not failed', async () => {
    const p = planOf(local('M'))
    const notSent = new NetworkError({method: 'POST', url: MAPS, attempts: 0}, {kind: 'stopped', reason: 'not sent: the server stopped answering', notSent: true})
    const result = await apply(p, client({createMap: async () => Promise.reject(notSent)}), {concurrency: 1})
    assert.equal(result.results[0]!.outcome, 'skipped')
    assert.match(result.results[0]!.detail!, /^not sent: /)
  })

  it('stops sending when the journal cannot be written: nothing is sent that it does not hold (exit 11)', async () => {
    const p = planOf(local('M', {obstacles: obstacles(2)}))
    const c = client({})
    const result = await apply(p, c, {
      concurrency: 1,
      record: async () => {
        throw new Error('no space left on the device (ENOSPC)')
      },
    })
    assert.deepEqual(c.calls, [])
    assert.deepEqual(
      result.results.map((r) => r.outcome),
      ['skipped', 'skipped', 'skipped'],
    )
    assert.deepEqual(result.halted, {reason: 'cannot write the journal: no space left on the device (ENOSPC)', exitCode: ExitCode.FILE_ACCESS})
  })
})

describe('apply: a 409 on a map create that the listing does not explain', () => {
  const conflict = (message: string) => new HttpError({method: 'POST', url: MAPS, attempts: 1}, 409, 'CONFLICT', message)

  it('fails in the server words, naming the listed map whose name gives the same address', async () => {
    const p = planOf(local('fancy map!!', {obstacles: obstacles(1)}))
    const said = "Map name 'fancy map!!' conflicts with map 'Fancy Map' (both have slug 'fancy-map')"
    const c = client({createMap: async () => Promise.reject(conflict(said)), listMaps: async () => [summary('Fancy Map', 'fancy-map'), summary('Other', 'other')]})
    const {results} = await apply(p, c, {concurrency: 1})
    assert.equal(results[0]!.outcome, 'failed')
    assert.equal(results[0]!.status, 409)
    assert.match(
      results[0]!.detail!,
      new RegExp(
        `^the server refused the name: POST ${MAPS} answered 409 CONFLICT: ${said.replace(/[()]/g, '\\$&')}; the server already has the map "Fancy Map", whose name gives the same address \\("fancy-map"\\); rename this map \\(or that one\\)$`,
      ),
    )
    assert.doesNotMatch(results[0]!.detail!, /again|lost/)
    assert.deepEqual(c.calls, ['createMap', 'listMaps'], 'nothing sent again')
    assert.equal(results[1]!.outcome, 'skipped')
  })

  it('fails too when only the server can tell which name clashes, and never asks for another run', async () => {
    const p = planOf(local('北'))
    const c = client({
      createMap: async () => Promise.reject(conflict("Map name '北' conflicts with map 'u5317' (both have slug 'u5317')")),
      listMaps: async () => [summary('u5317', 'u5317')],
    })
    const {results} = await apply(p, c, {concurrency: 1})
    assert.equal(results[0]!.outcome, 'failed')
    assert.match(results[0]!.detail!, /conflicts with map 'u5317'.*; its listing shows no map of this name: another map's name gives the same address on the server/)
    assert.doesNotMatch(results[0]!.detail!, /again|lost|stale/)
  })

  it('still settles a 409 whose listing shows the very name (a stale read): reconciled', async () => {
    const p = planOf(local('M'))
    const c = client({
      createMap: async () => Promise.reject(conflict('exists')),
      listMaps: async () => [summary('M', 'm')],
      getMap: async () => ({...summary('M', 'm'), observers: [], obstacles: []}),
    })
    assert.equal((await apply(p, c, {concurrency: 1})).results[0]!.outcome, 'reconciled')
  })
})
