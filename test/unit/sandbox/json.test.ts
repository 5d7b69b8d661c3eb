import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {JsonFloat, renderJson} from '../../../src/sandbox/json.js'

describe('renderJson', () => {
  it('writes floats with a decimal point and keeps other numbers as they are', () => {
    assert.equal(renderJson({v: new JsonFloat(6), w: new JsonFloat(2.5), x: 3, n: null}), '{"v": 6.0, "w": 2.5, "x": 3, "n": null}\n')
    assert.equal(renderJson([new JsonFloat(-1), new JsonFloat(1e21)]), '[-1.0, 1e+21]\n')
  })

  it('escapes non-ASCII characters, including astral ones as surrogate pairs', () => {
    const text = renderJson({name: 'Ä 🗺 "q"'})
    assert.equal(text, '{"name": "\\u00c4 \\ud83d\\uddfa \\"q\\""}\n')
    assert.deepEqual(JSON.parse(text), {name: 'Ä 🗺 "q"'})
  })
})
