import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {parseMap, writeMap} from '../../../src/format/index.js'
import {codePointLength, type GridMap, MAX_NAME_LENGTH, type Position, positionKey} from '../../../src/model/types.js'

/** Characters that make names interesting: commas, spaces, accents, emoji, other scripts. */
const NAME_PIECES = ['a', 'Z', '7', ' ', ',', '.', '#', '-', 'ä', 'ß', 'Ω', 'Ж', '日', '🌲', '🦉', '👩‍🚀', '\t', '%']

const validName = fc
  .tuple(fc.array(fc.constantFrom(...NAME_PIECES), {maxLength: 12}), fc.constantFrom('a', 'Z', '7', 'ä', 'Ж', '日', '٣'), fc.string({unit: 'binary', maxLength: 10}))
  .map(([pieces, anchor, noise]) => `${pieces.join('')}${anchor}${noise.replace(/[\r\n]/g, '')}`)
  .filter((name) => codePointLength(name) <= MAX_NAME_LENGTH && !name.startsWith('\uFEFF'))

const vision = fc.option(fc.oneof(fc.nat(1000), fc.double({min: 0, noNaN: true, noDefaultInfinity: true})), {nil: null})

/** Maps the format can hold: observers on distinct free tiles, unique names, any obstacles. */
const writableMap: fc.Arbitrary<GridMap> = fc
  .record({width: fc.integer({min: 1, max: 16}), height: fc.integer({min: 1, max: 16})})
  .chain(({width, height}) => {
    const position = fc.record({x: fc.nat(width - 1), y: fc.nat(height - 1)})
    return fc.record({
      name: validName,
      width: fc.constant(width),
      height: fc.constant(height),
      observers: fc.uniqueArray(fc.record({name: validName, vision, at: position}), {
        maxLength: Math.min(width * height, 30),
        selector: (o) => o.name,
      }),
      obstacles: fc.array(position, {maxLength: width * height}),
    })
  })
  .map(({name, width, height, observers, obstacles}) => {
    const taken = new Set<string>()
    const placed = observers
      .filter(({at}) => {
        const key = positionKey(at)
        if (taken.has(key)) return false
        taken.add(key)
        return true
      })
      .map(({name: observer, vision: v, at}) => ({name: observer, x: at.x, y: at.y, vision: v}))
    return {name, width, height, observers: placed, obstacles: obstacles.filter((p) => !taken.has(positionKey(p)))}
  })

/** What parsing should give back: obstacles once each, by row then column. */
function expected(map: GridMap): GridMap {
  const unique = new Map<string, Position>(map.obstacles.map((p) => [positionKey(p), p]))
  const obstacles = [...unique.values()].sort((a, b) => a.y - b.y || a.x - b.x).map(({x, y}) => ({x, y}))
  return {...map, obstacles}
}

function withoutFileDetails(map: GridMap & {file?: string}): GridMap {
  return {
    name: map.name,
    width: map.width,
    height: map.height,
    observers: map.observers.map(({name, x, y, vision: v}) => ({name, x, y, vision: v})),
    obstacles: map.obstacles,
  }
}

describe('format round trip (property-based)', () => {
  it('parse(write(map)) gives back the map, read as UTF-8 bytes', () => {
    fc.assert(
      fc.property(writableMap, (map) => {
        const written = writeMap(map)
        if (!written.ok) throw new Error(`not written: ${written.problems.join('; ')}`)
        const parsed = parseMap(new TextEncoder().encode(written.text), 'm.map')
        if (!parsed.ok) throw new Error(`not parsed: ${parsed.diagnostics.map((d) => d.message).join('; ')}\n${written.text}`)
        assert.deepEqual(withoutFileDetails(parsed.map), expected(map))
        assert.deepEqual(
          parsed.map.observers.map((o) => o.symbol),
          map.observers.map((o) => written.symbols.get(o.name)),
        )
      }),
      {numRuns: 300},
    )
  })

  it('writing keeps the symbols of the file it was read from', () => {
    fc.assert(
      fc.property(writableMap, fc.integer({min: 0, max: 500}), (map, shift) => {
        // Re-letter the observers with other symbols, as a person might.
        const first = writeMap(map)
        if (!first.ok) throw new Error(first.problems.join('; '))
        const chosen = new Map(map.observers.map((o, i) => [o.name, String.fromCodePoint(0x100 + ((i + shift) % 0x80))]))
        const relettered = writeMap(map, {symbols: chosen})
        if (!relettered.ok) throw new Error(relettered.problems.join('; '))
        const parsed = parseMap(relettered.text, 'm.map')
        if (!parsed.ok) throw new Error(parsed.diagnostics.map((d) => d.message).join('; '))
        const again = writeMap(parsed.map, {symbols: new Map(parsed.map.observers.map((o) => [o.name, o.symbol]))})
        assert.ok(again.ok)
        assert.equal(again.text, relettered.text)
      }),
      {numRuns: 100},
    )
  })

  it('never throws on arbitrary bytes: always a map or diagnostics with positions', () => {
    fc.assert(
      fc.property(fc.uint8Array({maxLength: 300}), (bytes) => {
        const result = parseMap(bytes, 'any.map')
        if (result.ok) return
        assert.ok(result.diagnostics.length > 0)
        for (const d of result.diagnostics) {
          assert.ok(Number.isInteger(d.line) && d.line >= 1)
          assert.ok(Number.isInteger(d.column) && d.column >= 1)
          assert.notEqual(d.message, '')
        }
      }),
      {numRuns: 1000},
    )
  })

  it('on edited map files, any map it accepts is written and read back unchanged', () => {
    const edit = fc.record({
      at: fc.nat(),
      remove: fc.nat(3),
      insert: fc.constantFrom('', '.', '#', 'a', 'z', '🦉', ',', '\n', '\r\n', ' ', '\t', 'Obs', '6', '-', '\uFEFF', '\u00ff'),
    })
    fc.assert(
      fc.property(writableMap, fc.array(edit, {minLength: 1, maxLength: 4}), (map, edits) => {
        const written = writeMap(map)
        if (!written.ok) throw new Error(written.problems.join('; '))
        const chars = [...written.text]
        for (const {at, remove, insert} of edits) chars.splice(at % (chars.length + 1), remove, insert)
        const result = parseMap(chars.join(''), 'edited.map')
        if (!result.ok) {
          assert.ok(result.diagnostics.length > 0)
          return
        }
        const rewritten = writeMap(result.map, {symbols: new Map(result.map.observers.map((o) => [o.name, o.symbol]))})
        if (!rewritten.ok) throw new Error(rewritten.problems.join('; '))
        const again = parseMap(rewritten.text, 'edited.map')
        assert.ok(again.ok)
        assert.deepEqual(again.map, result.map)
      }),
      {numRuns: 1000},
    )
  })
})
