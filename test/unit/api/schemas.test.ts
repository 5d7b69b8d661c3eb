import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {describeIssues, MapSchema, parseMap} from '../../../src/api/schemas.js'

const answer = (obstacles: unknown): unknown => ({name: 'M', slug: 'm', width: 4, height: 4, observers: [{name: 'O', slug: 'o', x: 0, y: 0, vision: null}], obstacles})

/** parseMap() and the whole schema on two copies of the same answer: parseMap() may change what it is given. */
function both(text: string): {fast: ReturnType<typeof parseMap>; schema: ReturnType<typeof MapSchema.safeParse>} {
  return {fast: parseMap(JSON.parse(text)), schema: MapSchema.safeParse(JSON.parse(text))}
}

/** An answer's text with the obstacles' text as given. */
function withObstacles(obstacles: string): string {
  return JSON.stringify(answer('OBSTACLES')).replace('"OBSTACLES"', obstacles)
}

function assertSame(text: string): void {
  const {fast, schema} = both(text)
  assert.equal(fast.success, schema.success, text)
  if (fast.success && schema.success) assert.deepEqual(fast.data, schema.data)
  if (!fast.success && !schema.success) assert.equal(describeIssues(fast.error, 100), describeIssues(schema.error, 100))
}

describe('parseMap', () => {
  it('keeps the obstacles as parsed when they are just {x, y}, without copying them', () => {
    const data = answer([
      {x: 3, y: 1},
      {x: 3, y: 1},
      {x: 0, y: 3},
    ]) as {obstacles: unknown[]}
    const first = data.obstacles[0]
    const parsed = parseMap(data)
    assert.ok(parsed.success)
    assert.equal(parsed.data.obstacles[0], first)
    assert.deepEqual(parsed.data.obstacles, [
      {x: 3, y: 1},
      {x: 3, y: 1},
      {x: 0, y: 3},
    ])
  })

  it('gives what the schema gives: other keys dropped, y before x put in order', () => {
    for (const obstacles of ['[]', '[{"x":1,"y":2,"z":3}]', '[{"y":2,"x":1}]', '[{"x":1.0,"y":2}]', '[{"__proto__":{"x":1},"x":0,"y":0}]']) {
      const text = withObstacles(obstacles)
      assertSame(text)
      const {fast} = both(text)
      assert.ok(fast.success, obstacles)
      for (const p of fast.data.obstacles) assert.deepEqual(Object.keys(p), ['x', 'y'])
    }
  })

  it("refuses what the schema refuses, with the schema's own issues", () => {
    const bad = [
      '[{"x":-1,"y":0}]',
      '[{"x":0.5,"y":0}]',
      '[{"x":"1","y":0}]',
      '[{"x":1}]',
      '[null]',
      '[[1,2]]',
      '{}',
      '"no"',
      '[{"x":9007199254740992,"y":0}]',
      '[{"x":1,"y":1},{"x":1,"y":-1}]',
    ]
    for (const obstacles of bad) {
      const text = withObstacles(obstacles)
      assert.equal(both(text).fast.success, false, obstacles)
      assertSame(text)
    }

    assertSame(JSON.stringify({...(answer([]) as object), width: -1}))
    assertSame(JSON.stringify({name: 'M'}))
  })

  it('agrees with the schema on any answer (property-based)', () => {
    const coordinate = fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.jsonValue())
    const obstacle = fc.oneof(
      {weight: 6, arbitrary: fc.record({x: fc.nat(), y: fc.nat()})},
      {weight: 1, arbitrary: fc.record({y: coordinate, x: coordinate, extra: fc.jsonValue()}, {requiredKeys: []})},
      {weight: 1, arbitrary: fc.jsonValue()},
    )
    fc.assert(
      fc.property(fc.oneof(fc.array(obstacle), fc.jsonValue()), fc.oneof(fc.nat(), fc.jsonValue()), (obstacles, width) => {
        assertSame(JSON.stringify({...(answer(obstacles) as object), width}))
      }),
      {numRuns: 300},
    )
  })
})
