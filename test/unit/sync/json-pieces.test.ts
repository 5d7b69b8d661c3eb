import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {batched, jsonPieces} from '../../../src/sync/json-pieces.js'

const joined = (value: unknown): string => [...jsonPieces(value)].join('')

describe('jsonPieces', () => {
  it('joins into exactly what JSON.stringify writes', () => {
    const obstacles = (n: number) => Array.from({length: n}, (_, i) => ({x: i % 7, y: i}))
    const values: unknown[] = [
      null,
      0,
      'a "quoted" \u2028 text',
      [],
      {},
      {a: undefined, b: () => 1, c: Symbol('s'), d: 1},
      {a: undefined},
      [undefined, () => 1, 2],
      {'key "with" quotes': {nested: [1, {deeper: true}]}},
      {at: new Date(0), none: Object.assign(Object.create(null) as object, {k: 'v'})},
      {map: {name: 'M', obstacles: obstacles(4095)}},
      {map: {name: 'M', obstacles: obstacles(4096)}},
      {map: {name: 'M', obstacles: obstacles(4097)}},
      {map: {name: 'M', obstacles: obstacles(10_000), observers: []}},
      Array.from({length: 9000}, (_, i) => (i % 3 === 0 ? undefined : i)),
    ]
    for (const value of values) assert.equal(joined(value), JSON.stringify(value))
  })

  it('never makes a piece of a long array much longer than a slice of it', () => {
    const pieces = [...jsonPieces({obstacles: Array.from({length: 100_000}, (_, i) => ({x: i, y: i}))})]
    const longest = Math.max(...pieces.map((p) => p.length))
    assert.ok(longest < 200_000, `longest piece: ${longest} characters`)
  })

  it('agrees with JSON.stringify on any JSON value (property-based)', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => assert.equal(joined(value), JSON.stringify(value))))
  })
})

describe('batched', () => {
  it('joins pieces into batches of at least the size asked, the last one shorter, none empty', () => {
    assert.deepEqual([...batched(['ab', 'c', 'de', 'f', 'g'], 3)], ['abc', 'def', 'g'])
    assert.deepEqual([...batched(['abcd', 'e'], 3)], ['abcd', 'e'])
    assert.deepEqual([...batched(['ab', 'c'], 3)], ['abc'])
    assert.deepEqual([...batched(['', ''], 3)], [])
    assert.deepEqual([...batched([], 3)], [])
  })
})
