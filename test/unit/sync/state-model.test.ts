import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {type Position, positionKey, type RemoteMap} from '../../../src/model/types.js'
import type {Operation} from '../../../src/sync/plan-types.js'
import {applyToModel, differences} from '../../../src/sync/state-model.js'

const URL = 'http://127.0.0.1:1/api/maps/m/'

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

describe('applyToModel', () => {
  type OpBody = Operation extends infer O ? (O extends Operation ? Omit<O, 'id' | 'map' | 'phase' | 'dependsOn' | 'reason'> : never) : never
  const op = (id: number, o: OpBody): Operation => ({id, map: 'M', phase: 3, dependsOn: [], reason: 'test', ...o}) as Operation

  it('keeps the starting obstacles in place, once each, and puts the ones placed anew last', () => {
    const before = map([{x: 100, y: 11}, {x: 9, y: 0}, {x: 10, y: 0}, {x: 9, y: 0}, {x: 0, y: 0}])
    const after = applyToModel(before, [
      op(0, {kind: 'deleteObstacle', position: {x: 100, y: 11}}),
      op(1, {kind: 'createObstacle', position: {x: 50, y: 6}}),
      op(2, {kind: 'createObstacle', position: {x: 100, y: 11}}),
      op(3, {kind: 'createObstacle', position: {x: 10, y: 0}}),
      op(4, {kind: 'deleteObstacle', position: {x: 7, y: 7}}),
    ])
    assert.deepEqual(after!.obstacles, [{x: 9, y: 0}, {x: 10, y: 0}, {x: 0, y: 0}, {x: 50, y: 6}, {x: 100, y: 11}])
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
    const server = map([{x: 1999, y: 1999}, {x: 0, y: 0}, {x: 0, y: 0}, {x: 2500, y: 3}], {width: 2000, height: 2000})
    const target = map([{x: 0, y: 0}, {x: 1999, y: 0}, {x: 0, y: 2999}], {width: 2000, height: 3000})
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
