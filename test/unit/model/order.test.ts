import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {compareNatural} from '../../../src/model/order.js'

describe('compareNatural', () => {
  it('orders numbers inside names by their value', () => {
    assert.deepEqual(['Map 10', 'Map 1', 'Map 11', 'Map 0', 'Map 2'].sort(compareNatural), ['Map 0', 'Map 1', 'Map 2', 'Map 10', 'Map 11'])
  })

  it('keeps names that differ only in case or accents together, in one order whatever the input order', () => {
    const names = ['b', 'Ä', 'B', 'a', 'A', 'á']
    const once = [...names].sort(compareNatural)
    assert.deepEqual(once, ['A', 'a', 'Ä', 'á', 'B', 'b'])
    assert.deepEqual([...names].reverse().sort(compareNatural), once)
    assert.deepEqual(['07', '7', '007'].sort(compareNatural), ['007', '07', '7'])
  })
})
