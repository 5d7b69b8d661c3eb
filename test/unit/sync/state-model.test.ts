import {differences} from '../../../src/sync/map-diff.js'
import assert from 'node:assert/strict'
import {createHash} from 'node:crypto'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {type GridMap, type Position, positionKey, type RemoteMap} from '../../../src/model/types.js'
import type {Operation} from '../../../src/sync/plan-types.js'
import {applyToModel, fingerprint} from '../../../src/sync/state-model.js'

const URL = 'http://127.0.0.1:1/api/maps/m/'

/** The fingerprint as first defined, on one string made of everything: journals written since hold these values. */
function fingerprintAsDefined(map: GridMap): string {
  const observers = [...map.observers].map((o) => [o.name, o.x, o.y, o.vision]).sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1))
  const canonical = JSON.stringify([map.name, map.width, map.height, observers, map.obstacles.map(positionKey).sort()])
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32)
}

/** Obstacles by position in a Map, as the state after operations was first computed: the order to keep. */
function obstaclesAsDefined(before: readonly Position[], ops: readonly Operation[]): Position[] {
  let obstacles = new Map(before.map((p) => [positionKey(p), {x: p.x, y: p.y}]))
  for (const op of ops) {
    if (op.kind === 'createMap') obstacles = new Map()
    if (op.kind === 'createObstacle') obstacles.set(positionKey(op.position), {...op.position})
    if (op.kind === 'deleteObstacle') obstacles.delete(positionKey(op.position))
  }

  return [...obstacles.values()]
}

function map(obstacles: Position[], size = {width: 101, height: 12}): RemoteMap {
  return {name: 'M', slug: 'm', url: URL, ...size, observers: [{name: 'Obs', slug: 'obs', url: `${URL}observers/obs/`, x: 5, y: 5, vision: 6}], obstacles}
}

const coordinate = fc.oneof({weight: 6, arbitrary: fc.nat(12)}, {weight: 1, arbitrary: fc.constantFrom(99, 100, 101, 1000, 123_456)})
const position = fc.record({x: coordinate, y: coordinate})

describe('fingerprint', () => {
  it('is the value earlier versions computed and wrote to journals', () => {
    const obstacles = [
      {x: 100, y: 11},
      {x: 9, y: 0},
      {x: 10, y: 0},
      {x: 0, y: 10},
      {x: 1, y: 0},
      {x: 0, y: 9},
      {x: 100, y: 0},
      {x: 9, y: 0},
      {x: 0, y: 0},
      {x: 10, y: 1},
    ]
    const observers = [
      {name: 'Obs B', slug: 'obs-b', url: '', x: 5, y: 5, vision: 6},
      {name: 'Obs A', slug: 'obs-a', url: '', x: 1, y: 2, vision: null},
    ]
    assert.equal(fingerprint({...map(obstacles), observers}), '8337b5a3a314a4e2cfb2137eda43d4f4')
    assert.equal(fingerprint({name: 'E', width: 1, height: 1, observers: [], obstacles: []}), '20310330c4369746f1db53be81c80fea')
    const unusual = {name: 'Täällä "q" \\ 😀', width: 3, height: 2, observers: [{name: 'ö,1', x: 2, y: 1, vision: 2.5}], obstacles: [{x: 2, y: 0}]}
    assert.equal(fingerprint(unusual), 'c7a3bb557a88d0a593815702191e92a4')
  })

  it('is the fingerprint as first defined, for any map (property-based)', () => {
    fc.assert(
      fc.property(fc.array(position, {maxLength: 300}), fc.string(), (obstacles, name) => {
        const m = {...map(obstacles), name}
        assert.equal(fingerprint(m), fingerprintAsDefined(m))
      }),
    )
  })

  it('is the same for the same map in any order, and differs for a repeat, a resize or a moved obstacle', () => {
    const obstacles = Array.from({length: 20_000}, (_, i) => ({x: (i * 7) % 2000, y: Math.floor(i / 10)}))
    const fp = fingerprint(map(obstacles, {width: 2000, height: 2000}))
    assert.equal(fingerprint(map(obstacles.toReversed(), {width: 2000, height: 2000})), fp)
    assert.notEqual(fingerprint(map([...obstacles, obstacles[0]!], {width: 2000, height: 2000})), fp)
    assert.notEqual(fingerprint(map(obstacles, {width: 2000, height: 2001})), fp)
    assert.notEqual(fingerprint(map([{x: 1999, y: 1999}, ...obstacles.slice(1)], {width: 2000, height: 2000})), fp)
    assert.equal(fingerprint(undefined), null)
  })
})

describe('applyToModel', () => {
  type OpBody = Operation extends infer O ? (O extends Operation ? Omit<O, 'id' | 'map' | 'phase' | 'dependsOn' | 'reason'> : never) : never
  const op = (id: number, o: OpBody): Operation => ({id, map: 'M', phase: 3, dependsOn: [], reason: 'test', ...o})

  it('keeps the starting obstacles in place, once each, and puts the ones placed anew last', () => {
    const before = map([
      {x: 100, y: 11},
      {x: 9, y: 0},
      {x: 10, y: 0},
      {x: 9, y: 0},
      {x: 0, y: 0},
    ])
    const after = applyToModel(before, [
      op(0, {kind: 'deleteObstacle', position: {x: 100, y: 11}}),
      op(1, {kind: 'createObstacle', position: {x: 50, y: 6}}),
      op(2, {kind: 'createObstacle', position: {x: 100, y: 11}}),
      op(3, {kind: 'createObstacle', position: {x: 10, y: 0}}),
      op(4, {kind: 'deleteObstacle', position: {x: 7, y: 7}}),
    ])
    assert.deepEqual(after!.obstacles, [
      {x: 9, y: 0},
      {x: 10, y: 0},
      {x: 0, y: 0},
      {x: 50, y: 6},
      {x: 100, y: 11},
    ])
    assert.deepEqual(before.obstacles.length, 5, 'the starting state is left as it was')
  })

  it('leaves the obstacles where a Map keyed by position would, for any operations (property-based)', () => {
    // Few tiles, so that operations often meet the starting obstacles and each other.
    const near = fc.record({x: fc.oneof({weight: 8, arbitrary: fc.nat(4)}, {weight: 1, arbitrary: fc.constant(123_456)}), y: fc.nat(4)})
    const obstacleOp = fc.record({kind: fc.constantFrom('createObstacle' as const, 'deleteObstacle' as const), position: near})
    const anyOp = fc.oneof({weight: 12, arbitrary: obstacleOp}, {weight: 1, arbitrary: fc.constant({kind: 'createMap' as const, body: {name: 'M', width: 9, height: 9}})})
    fc.assert(
      fc.property(fc.array(near, {maxLength: 30}), fc.array(anyOp, {maxLength: 40, size: 'medium'}), (start, bodies) => {
        const ops = bodies.map((b, i) => op(i, b))
        const plain = (ps: Position[]) => ps.map((p) => ({x: p.x, y: p.y}))
        assert.deepEqual(plain(applyToModel(map(start), ops)!.obstacles), plain(obstaclesAsDefined(start, ops)))
      }),
    )
  })
})

describe('differences', () => {
  it('names each missing and each extra obstacle once, edges and resizes included', () => {
    const server = map(
      [
        {x: 1999, y: 1999},
        {x: 0, y: 0},
        {x: 0, y: 0},
        {x: 2500, y: 3},
      ],
      {width: 2000, height: 2000},
    )
    const target = map(
      [
        {x: 0, y: 0},
        {x: 1999, y: 0},
        {x: 0, y: 2999},
      ],
      {width: 2000, height: 3000},
    )
    assert.deepEqual(differences(server, target), [
      'size is 2000x2000, the file says 2000x3000',
      'obstacle (1999,0) missing',
      'obstacle (0,2999) missing',
      'obstacle (1999,1999) still present',
      'obstacle (2500,3) still present',
    ])
    assert.deepEqual(differences(server, server), [])
  })
})
