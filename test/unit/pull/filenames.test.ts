import assert from 'node:assert/strict'
import path from 'node:path'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {FileNamer, fileStem, foldName, MAX_STEM_LENGTH, pathInside} from '../../../src/pull/filenames.js'

const SAFE_STEM = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/
const RESERVED = /^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])$/

describe('fileStem', () => {
  it('uses the slug, cleaned of anything that is not a lowercase letter, digit or inner dash', () => {
    assert.equal(fileStem('fancy-map', 'Fancy Map'), 'fancy-map')
    assert.equal(fileStem('../../etc/passwd', 'x'), 'etc-passwd')
    assert.equal(fileStem('a/b\\c', 'x'), 'a-b-c')
    assert.equal(fileStem('.hidden', 'x'), 'hidden')
    assert.equal(fileStem('-dash-', 'x'), 'dash')
    assert.equal(fileStem('nul\u0000byte', 'x'), 'nul-byte')
    assert.equal(fileStem('UPPER Case', 'x'), 'upper-case')
    assert.equal(fileStem('C:\\Windows', 'x'), 'c-windows')
  })

  it('falls back on a transliteration of the name when the slug leaves nothing, then on "map"', () => {
    assert.equal(fileStem('', 'Täällä on kartta'), 'taalla-on-kartta')
    assert.equal(fileStem('../..', 'Straße'), 'strasse')
    assert.equal(fileStem('', '😀😀😀'), 'map')
    assert.equal(fileStem('...', '///'), 'map')
  })

  it('gives reserved device names a suffix, whatever their case', () => {
    for (const reserved of ['CON', 'con', 'Prn', 'aux', 'NUL', 'com1', 'COM9', 'lpt1', 'LPT9']) {
      const stem = fileStem(reserved, reserved)
      assert.equal(stem, `${reserved.toLowerCase()}-map`)
      assert.doesNotMatch(stem, RESERVED)
    }
    assert.equal(fileStem('console', 'x'), 'console')
  })

  it('cuts long slugs and names to the limit, without a dash at the end', () => {
    const stem = fileStem(`${'a'.repeat(MAX_STEM_LENGTH - 1)}-bbbb`, 'x')
    assert.equal(stem, 'a'.repeat(MAX_STEM_LENGTH - 1))
    assert.equal(fileStem('', '北'.repeat(32)).length <= MAX_STEM_LENGTH, true)
  })

  it('always gives a safe stem, whatever the server sends', () => {
    fc.assert(
      fc.property(fc.string({unit: 'binary'}), fc.string({unit: 'binary'}), (slug, name) => {
        const stem = fileStem(slug, name)
        assert.match(stem, SAFE_STEM)
        assert.ok(stem.length <= MAX_STEM_LENGTH + '-map'.length)
        assert.doesNotMatch(stem, RESERVED)
        const file = new FileNamer().claim(stem)
        assert.equal(path.dirname(pathInside('/maps', file)), path.resolve('/maps'))
      }),
    )
  })
})

describe('FileNamer', () => {
  it('adds -2, -3... when a name is taken, comparing without regard to case', () => {
    const namer = new FileNamer(['Fancy-Map.MAP', 'notes.txt', '.gridsync'])
    assert.equal(namer.claim('fancy-map'), 'fancy-map-2.map')
    assert.equal(namer.claim('fancy-map'), 'fancy-map-3.map')
    assert.equal(namer.claim('notes'), 'notes.map')
    assert.equal(namer.claim('notes'), 'notes-2.map')
    assert.equal(namer.isTaken('NOTES.map'), true)
  })

  it('treats names a case-insensitive file system may fold together as one', () => {
    assert.equal(foldName('\u212Aey.map'), foldName('key.map')) // KELVIN SIGN
    assert.equal(foldName('ſun.map'), foldName('SUN.map')) // LATIN SMALL LETTER LONG S
    assert.equal(new FileNamer(['\u212Aey.map']).claim('key'), 'key-2.map')
  })
})

describe('pathInside', () => {
  it('accepts a plain name in the directory', () => {
    assert.equal(pathInside('maps', 'fancy-map.map'), path.resolve('maps', 'fancy-map.map'))
  })

  it('refuses anything that would leave the directory or is not a plain name', () => {
    for (const bad of ['../x.map', '/etc/passwd', 'a/b.map', 'a\\b.map', '..', '.', '', 'x\u0000.map', 'c:x.map']) {
      assert.throws(() => pathInside('maps', bad), /not a plain file name/, bad)
    }
  })
})
