import assert from 'node:assert/strict'
import {readFile} from 'node:fs/promises'
import {join} from 'node:path'
import {describe, it} from 'node:test'

import {loadMapsDir, writeMap} from '../../../src/format/index.js'
import {ROOT} from '../../helpers/cli.js'

const MAPS = join(ROOT, 'maps')

describe('sample maps', () => {
  it('are all valid, with observer names unique across them', async () => {
    const result = await loadMapsDir(MAPS)
    assert.deepEqual(result.invalid, [])
    assert.ok(result.maps.length >= 3)
    const fancy = result.maps.find((m) => m.name === 'Fancy Map')
    assert.equal(fancy?.file, join(MAPS, 'fancy-map.map'))
    assert.equal(fancy?.observers.length, 4)
    assert.ok(result.maps.some((m) => m.observers.some((o) => o.vision === null)))
    assert.ok(result.maps.some((m) => /[^\x20-\x7e]/.test(m.name)))
  })

  it('are written in the canonical form: writing one back gives the same bytes', async () => {
    const result = await loadMapsDir(MAPS)
    for (const map of result.maps) {
      const written = writeMap(map, {symbols: new Map(map.observers.map((o) => [o.name, o.symbol]))})
      assert.ok(written.ok)
      assert.equal(written.text, await readFile(map.file, 'utf8'), map.file)
    }
  })
})
