import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {PositionSet, positionsNotIn, uniquePositions, visitKeysInTextOrder} from '../../../src/model/positions.js'
import {type Position, positionKey} from '../../../src/model/types.js'

/** Coordinates of every kind a position can hold: on a small grid (few tiles, so that they meet), past it, and a few no grid holds. */
const coordinate = fc.oneof({weight: 8, arbitrary: fc.nat(6)}, {weight: 1, arbitrary: fc.constantFrom(-1, -0, 0.5, 99, 4096, 1e7, Number.MAX_SAFE_INTEGER)})
const position = fc.record({x: coordinate, y: coordinate})

function keysInTextOrder(positions: readonly Position[]): string[] {
  const keys: string[] = []
  visitKeysInTextOrder(positions, (key) => keys.push(key))
  return keys
}

describe('PositionSet', () => {
  it('holds the corners of the grid it spans, and nothing next to them', () => {
    const corners = [
      {x: 0, y: 0},
      {x: 1999, y: 0},
      {x: 0, y: 1999},
      {x: 1999, y: 1999},
    ]
    const dense = [...corners, ...Array.from({length: 70_000}, (_, i) => ({x: i % 1000, y: Math.floor(i / 1000)}))]
    const set = PositionSet.of(dense)
    for (const p of corners) assert.ok(set.has(p), positionKey(p))
    for (const p of [
      {x: 2000, y: 0},
      {x: 0, y: 2000},
      {x: 1998, y: 1999},
      {x: 1999, y: 1998},
      {x: 1000, y: 70},
    ])
      assert.ok(!set.has(p), positionKey(p))
  })

  it('holds a repeat once, and takes 0 and -0 for the same tile', () => {
    const set = PositionSet.of([
      {x: 2, y: 3},
      {x: 2, y: 3},
      {x: 0, y: 1},
    ])
    assert.equal(set.add({x: 2, y: 3}), false)
    assert.equal(set.delete({x: 2, y: 3}), true)
    assert.equal(set.has({x: 2, y: 3}), false)
    assert.ok(set.has({x: -0, y: 1}))
    assert.equal(set.add({x: -0, y: 1}), false)
  })

  it('takes positions outside the grid it spans, added later, by their keys', () => {
    const set = PositionSet.of([
      {x: 0, y: 0},
      {x: 3, y: 3},
    ])
    for (const p of [
      {x: 4, y: 0},
      {x: 0, y: 9},
      {x: -1, y: 2},
      {x: 1.5, y: 1},
      {x: 1e9, y: 1e9},
    ]) {
      assert.ok(!set.has(p))
      assert.equal(set.add(p), true)
      assert.ok(set.has(p))
      assert.equal(set.add(p), false)
      assert.equal(set.delete(p), true)
      assert.ok(!set.has(p))
    }

    assert.ok(set.has({x: 3, y: 3}))
  })

  it('holds a few positions far apart without a grid for all the tiles between them', () => {
    const far = [
      {x: 0, y: 0},
      {x: 50_000_000, y: 80_000_000},
    ]
    const set = PositionSet.of(far)
    assert.ok(far.every((p) => set.has(p)))
    assert.ok(!set.has({x: 1, y: 0}))
  })

  it('answers as a Set of "x,y" keys does, whatever is added, deleted and asked (property-based)', () => {
    const step = fc.record({what: fc.constantFrom('add', 'delete', 'has'), p: position})
    fc.assert(
      fc.property(fc.array(position, {maxLength: 60}), fc.array(step, {maxLength: 60, size: 'medium'}), (start, steps) => {
        const set = PositionSet.of(start)
        const keys = new Set(start.map(positionKey))
        for (const {what, p} of steps) {
          const key = positionKey(p)
          if (what === 'add') assert.equal(set.add(p), !keys.has(key) && Boolean(keys.add(key)))
          else if (what === 'delete') assert.equal(set.delete(p), keys.delete(key))
          else assert.equal(set.has(p), keys.has(key))
        }

        for (const p of [...start, ...steps.map((s) => s.p)]) assert.equal(set.has(p), keys.has(positionKey(p)))
      }),
    )
  })
})

describe('uniquePositions and positionsNotIn', () => {
  it('keep the first of each repeat, in order, as the same objects', () => {
    const a = {x: 1, y: 1}
    const b = {x: 0, y: 2}
    assert.deepEqual(uniquePositions([a, b, {x: 1, y: 1}, b]), [a, b])
    assert.equal(uniquePositions([a, b])[0], a)
  })

  it('give what the other list lacks, a repeat once', () => {
    const mine = [
      {x: 5, y: 0},
      {x: 1, y: 1},
      {x: 5, y: 0},
      {x: 9, y: 9},
      {x: 2, y: 2},
    ]
    assert.deepEqual(
      positionsNotIn(mine, [
        {x: 1, y: 1},
        {x: 1, y: 1},
        {x: 9, y: 9},
      ]),
      [
        {x: 5, y: 0},
        {x: 2, y: 2},
      ],
    )
    assert.deepEqual(positionsNotIn(mine, []), [
      {x: 5, y: 0},
      {x: 1, y: 1},
      {x: 9, y: 9},
      {x: 2, y: 2},
    ])
    assert.deepEqual(positionsNotIn([], mine), [])
  })

  it('agree with sets of "x,y" keys (property-based)', () => {
    fc.assert(
      fc.property(fc.array(position, {maxLength: 80}), fc.array(position, {maxLength: 80}), (mine, others) => {
        const theirs = new Set(others.map(positionKey))
        const expected = [...new Set(mine.map(positionKey))].filter((k) => !theirs.has(k))
        assert.deepEqual(positionsNotIn(mine, others).map(positionKey), expected)
        assert.deepEqual(uniquePositions(mine).map(positionKey), [...new Set(mine.map(positionKey))])
      }),
    )
  })
})

describe('visitKeysInTextOrder', () => {
  it('visits the keys as their strings sort, not as the numbers do, repeats included', () => {
    const positions = [
      {x: 10, y: 0},
      {x: 9, y: 0},
      {x: 1, y: 10},
      {x: 1, y: 9},
      {x: 100, y: 2},
      {x: 9, y: 0},
      {x: 1, y: 0},
    ]
    assert.deepEqual(keysInTextOrder(positions), ['1,0', '1,10', '1,9', '10,0', '100,2', '9,0', '9,0'])
    assert.deepEqual(keysInTextOrder([]), [])
  })

  it('gives what sorting the "x,y" strings gives (property-based)', () => {
    fc.assert(
      fc.property(fc.array(position, {maxLength: 200}), (positions) => {
        assert.deepEqual(keysInTextOrder(positions), positions.map(positionKey).sort())
      }),
    )
  })
})
