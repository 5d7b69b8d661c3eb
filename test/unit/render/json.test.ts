import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {planDocument, pushDocument} from '../../../src/render/index.js'
import {applyOf} from './apply-fixtures.js'
import {FANCY_LOCAL, FANCY_REMOTE, local, planOf, remote, SERVER} from './fixtures.js'

/** Paths of every undefined value, function or non-finite number in a value. */
function notJsonSafe(value: unknown, path = '$'): string[] {
  if (value === undefined || typeof value === 'function' || (typeof value === 'number' && !Number.isFinite(value))) return [path]
  if (Array.isArray(value)) return value.flatMap((v, i) => notJsonSafe(v, `${path}[${i}]`))
  if (value !== null && typeof value === 'object') {
    if (Object.getPrototypeOf(value) !== Object.prototype) return [`${path} (not a plain object)`]
    return Object.entries(value).flatMap(([k, v]) => notJsonSafe(v, `${path}.${k}`))
  }
  return []
}

function keysOf(value: unknown): string[] {
  return Object.keys(value as object)
}

const fancyPlan = () =>
  planOf({
    local: [local('maps/fancy-map.map', FANCY_LOCAL), local('maps/new.map', ['New', '.#a', 'a,Obs N,2'])],
    remote: [remote(FANCY_REMOTE), remote(['Old', '#.'])],
    prune: true,
  })

describe('planDocument', () => {
  it('has the documented shape, in a stable key order, and is plain JSON', () => {
    const doc = planDocument(fancyPlan())
    assert.deepEqual(keysOf(doc), ['schemaVersion', 'server', 'summary', 'maps', 'operations', 'warnings'])
    assert.equal(doc.schemaVersion, 1)
    assert.equal(doc.server, SERVER)
    assert.equal(
      JSON.stringify(doc.summary),
      '{"maps":{"create":1,"update":1,"delete":1,"unchanged":0,"rebuild":0,"rename":0},"observers":{"create":2,"update":2,"delete":1},"obstacles":{"create":3,"delete":1}}',
    )
    assert.deepEqual(notJsonSafe(doc), [])
    assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc)
  })

  it('describes each map without URLs inside its changes', () => {
    const doc = planDocument(fancyPlan())
    const [fancy, created, deleted] = doc.maps as Array<Record<string, unknown>>
    assert.deepEqual(keysOf(fancy), ['name', 'action', 'file', 'url', 'evidence', 'resize', 'changes', 'notes'])
    assert.deepEqual(fancy!.resize, {from: {width: 12, height: 6}, to: {width: 14, height: 6}})
    assert.deepEqual(fancy!.changes, {
      observers: {
        create: [{name: 'Fancy Observer E', x: 12, y: 0, vision: 3}],
        update: [
          {from: {name: 'Fancy Observer A', x: 1, y: 1, vision: 6}, to: {name: 'Fancy Observer A', x: 2, y: 2, vision: 6}},
          {from: {name: 'Fancy Observer B', x: 10, y: 1, vision: 6}, to: {name: 'Fancy Observer B', x: 10, y: 1, vision: 8}},
        ],
        delete: [{name: 'Fancy Observer D', x: 10, y: 4, vision: 6}],
      },
      obstacles: {
        create: [
          {x: 12, y: 3},
          {x: 13, y: 5},
        ],
        delete: [{x: 4, y: 5}],
      },
    })
    assert.deepEqual(keysOf(created), ['name', 'action', 'file', 'evidence', 'changes', 'notes'])
    assert.deepEqual(keysOf(deleted), ['name', 'action', 'url', 'evidence', 'changes', 'notes'])
    assert.equal(deleted!.action, 'delete')
  })

  it('lists operations with their object', () => {
    const ops = planDocument(fancyPlan()).operations as Array<Record<string, unknown>>
    const byKind = (kind: string) => ops.find((op) => op.kind === kind)
    assert.deepEqual(byKind('deleteMap'), {id: 1, phase: 1, kind: 'deleteMap', map: 'Old', reason: 'map has no file (--prune)', dependsOn: []})
    assert.deepEqual(byKind('createMap'), {
      id: 3,
      phase: 2,
      kind: 'createMap',
      map: 'New',
      reason: 'map is only in the files',
      dependsOn: [],
      body: {name: 'New', width: 3, height: 1},
    })
    assert.deepEqual(keysOf(byKind('updateMap')), ['id', 'phase', 'kind', 'map', 'reason', 'dependsOn', 'body', 'from'])
    assert.deepEqual(byKind('createObserver')!.observer, {name: 'Fancy Observer E', x: 12, y: 0, vision: 3})
    assert.deepEqual(keysOf(byKind('updateObserver')), ['id', 'phase', 'kind', 'map', 'reason', 'dependsOn', 'observer', 'from'])
    assert.deepEqual(byKind('deleteObstacle')!.position, {x: 4, y: 5})
    assert.deepEqual(
      ops.map((op) => op.id),
      ops.map((_, i) => i),
    )
  })
})

describe('pushDocument', () => {
  it('adds the apply results and, when given, the verification', () => {
    const plan = fancyPlan()
    const apply = applyOf(plan, {0: {outcome: 'failed', detail: 'server said no', status: 400}, 5: {outcome: 'skipped', detail: 'depends on #0'}})
    const doc = pushDocument(plan, apply)
    assert.deepEqual(keysOf(doc), ['schemaVersion', 'server', 'summary', 'maps', 'operations', 'warnings', 'apply'])
    assert.equal(JSON.stringify(doc.apply.counts), `{"applied":${plan.operations.length - 2},"reconciled":0,"unconfirmed":0,"failed":1,"skipped":1}`)
    assert.deepEqual(doc.apply.results[0], {id: 0, kind: 'deleteObserver', map: 'Fancy Map', outcome: 'failed', detail: 'server said no', status: 400, durationMs: 3})
    assert.deepEqual(keysOf(doc.apply.results[1]), ['id', 'kind', 'map', 'outcome', 'durationMs'])
    assert.deepEqual(notJsonSafe(doc), [])

    const verified = pushDocument(plan, apply, {
      skipped: false,
      maps: [
        {name: 'Fancy Map', verdict: 'incomplete', differences: ['observer "Fancy Observer D" still present'], advice: 'run push again'},
        {name: 'New', verdict: 'confirmed', differences: []},
      ],
    })
    assert.deepEqual(keysOf(verified).at(-1), 'verification')
    assert.deepEqual(verified.verification, {
      skipped: false,
      maps: [
        {name: 'Fancy Map', verdict: 'incomplete', differences: ['observer "Fancy Observer D" still present'], advice: 'run push again'},
        {name: 'New', verdict: 'confirmed', differences: []},
      ],
    })
    assert.deepEqual(notJsonSafe(verified), [])
  })
})
