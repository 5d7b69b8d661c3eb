import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {slugify} from '../../../src/sandbox/slug.js'

describe('slugify', () => {
  it('makes lowercase ASCII with single dashes, trimmed', () => {
    assert.equal(slugify('Fancy Map!!'), 'fancy-map')
    assert.equal(slugify('  --Fancy   __ Map--  '), 'fancy-map')
    assert.equal(slugify('Map 2: the return'), 'map-2-the-return')
  })

  it('transliterates accented and other Latin letters', () => {
    assert.equal(slugify('Täällä'), 'taalla')
    assert.equal(slugify('Crème Brûlée'), 'creme-brulee')
    assert.equal(slugify('Straße Øst Łódź'), 'strasse-ost-lodz')
    assert.equal(slugify('ｆｕｌｌ①'), 'full1')
  })

  it('spells letters of other scripts by code point, and drops symbols', () => {
    assert.equal(slugify('北京'), 'u5317-u4eac')
    assert.equal(slugify('Карта 1'), 'u43a-u430-u440-u442-u430-1')
    assert.equal(slugify('🗺 Map 🗺'), 'map')
  })

  it('gives the empty slug to a name without letters or digits', () => {
    assert.equal(slugify('!!!'), '')
    assert.equal(slugify('🗺'), '')
  })
})
