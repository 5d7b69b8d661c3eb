import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {FaultTracker, seededRandom} from '../../../src/sandbox/faults.js'

describe('seededRandom', () => {
  it('gives the same stream for the same seed, within [0, 1)', () => {
    const a = seededRandom(5)
    const b = seededRandom(5)
    const values = Array.from({length: 1000}, () => a())
    assert.deepEqual(
      Array.from({length: 1000}, () => b()),
      values,
    )
    assert.ok(values.every((v) => v >= 0 && v < 1))
    assert.ok(new Set(values).size > 990)
    assert.notEqual(seededRandom(6)(), seededRandom(5)())
  })

  it('works with seed 0', () => {
    const r = seededRandom(0)
    assert.notEqual(r(), r())
  })
})

describe('FaultTracker', () => {
  const write = {method: 'POST', path: '/api/maps/'}

  it('never fires without a rule', () => {
    assert.equal(new FaultTracker().fires(undefined, write), false)
  })

  it('keeps separate counts per rule object, and forgets them on reset', () => {
    const tracker = new FaultTracker()
    const a = {every: 2}
    const b = {every: 2}
    assert.deepEqual([tracker.fires(a, write), tracker.fires(b, write), tracker.fires(a, write), tracker.fires(b, write)], [false, false, true, true])
    tracker.fires(a, write)
    tracker.reset()
    assert.deepEqual([tracker.fires(a, write), tracker.fires(a, write)], [false, true])
  })
})
