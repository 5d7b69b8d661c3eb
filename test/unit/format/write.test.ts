import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {parseMap, type WriteResult, writeMap} from '../../../src/format/index.js'
import type {GridMap, Observer} from '../../../src/model/types.js'
import {FANCY} from '../../helpers/maps.js'

function fancy(): GridMap {
  const result = parseMap(FANCY, 'fancy.map')
  assert.ok(result.ok)
  return result.map
}

function textOf(result: WriteResult): string {
  if (!result.ok) assert.fail(`expected a written map, got: ${result.problems.join('; ')}`)
  return result.text
}

function problemsOf(result: WriteResult): string[] {
  if (result.ok) assert.fail(`expected problems, got a written map:\n${result.text}`)
  return result.problems
}

function observers(count: number): Observer[] {
  return Array.from({length: count}, (_, i) => ({name: `Obs ${i}`, x: i % 40, y: Math.floor(i / 40), vision: null}))
}

function symbolsOf(result: WriteResult): string[] {
  if (!result.ok) assert.fail(result.problems.join('; '))
  return [...result.symbols.values()]
}

describe('writeMap: the canonical form', () => {
  it('writes the Fancy Map exactly as the format describes it', () => {
    assert.equal(textOf(writeMap(fancy())), FANCY)
  })

  it('writes from a remote-style map: server observer order, float-like vision, repeated obstacles once', () => {
    const text = textOf(
      writeMap({
        name: 'Remote',
        width: 4,
        height: 2,
        observers: [
          {name: 'Zed', x: 3, y: 1, vision: 6.0},
          {name: 'Amy', x: 0, y: 0, vision: null},
        ],
        obstacles: [
          {x: 1, y: 1},
          {x: 1, y: 1},
          {x: 2, y: 0},
        ],
      }),
    )
    assert.equal(text, 'Remote\nb.#.\n.#.a\na,Zed,6\nb,Amy\n')
  })

  it('writes vision in plain decimal notation, never with an exponent', () => {
    const visions = [0, 2.5, 1e21, 1.5e-7, 123456789.125, 5e-324]
    const map: GridMap = {
      name: 'V',
      width: visions.length,
      height: 1,
      observers: visions.map((vision, x) => ({name: `O${x}`, x, y: 0, vision})),
      obstacles: [],
    }
    const text = textOf(writeMap(map))
    const legend = text.split('\n').slice(2, -1)
    assert.deepEqual(
      legend.map((line) => line.split(',')[2]),
      ['0', '2.5', '1000000000000000000000', '0.00000015', '123456789.125', `0.${'0'.repeat(323)}5`],
    )
    const back = parseMap(text, 'v.map')
    assert.ok(back.ok)
    assert.deepEqual(
      back.map.observers.map((o) => o.vision),
      visions,
    )
  })

  it('ends a name that holds a comma with "," when there is no vision', () => {
    const text = textOf(
      writeMap({
        name: 'C',
        width: 2,
        height: 1,
        observers: [
          {name: 'Smith, John', x: 0, y: 0, vision: null},
          {name: 'Doe, Jane', x: 1, y: 0, vision: 3},
        ],
        obstacles: [],
      }),
    )
    assert.equal(text, 'C\nab\na,Smith, John,\nb,Doe, Jane,3\n')
  })

  it('picks symbols a-z, then A-Z, then digits, then punctuation other than ". # ,"', () => {
    const symbols = symbolsOf(writeMap({name: 'Crowd', width: 40, height: 3, observers: observers(66), obstacles: []}))
    assert.equal(symbols.slice(0, 26).join(''), 'abcdefghijklmnopqrstuvwxyz')
    assert.equal(symbols.slice(26, 52).join(''), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')
    assert.equal(symbols.slice(52, 62).join(''), '0123456789')
    assert.equal(symbols.slice(62).join(''), '!"$%')
  })

  it('hands out symbols the same way every time', () => {
    const map: GridMap = {name: 'Crowd', width: 40, height: 10, observers: observers(400), obstacles: []}
    assert.equal(textOf(writeMap(map)), textOf(writeMap(map)))
    for (const symbol of symbolsOf(writeMap(map))) assert.doesNotMatch(symbol, /^[.#,\s]$/u)
  })

  it('honours preferred symbols that are usable and free, in observer order', () => {
    const map: GridMap = {
      name: 'P',
      width: 5,
      height: 1,
      observers: ['A', 'B', 'C', 'D', 'E'].map((name, x) => ({name, x, y: 0, vision: null})),
      obstacles: [],
    }
    const preferred = new Map([
      ['A', 'z'],
      ['B', 'z'],
      ['C', '.'],
      ['D', '🦉'],
      ['E', 'ab'],
    ])
    const result = writeMap(map, {symbols: preferred})
    assert.ok(result.ok)
    assert.deepEqual(Object.fromEntries(result.symbols), {A: 'z', B: 'a', C: 'b', D: '🦉', E: 'c'})
    assert.equal(result.text.split('\n')[1], 'zab🦉c')
  })

  it('produces rows of the map width for a large grid', () => {
    const text = textOf(writeMap({name: 'Big', width: 300, height: 200, observers: [{name: 'Far', x: 299, y: 199, vision: 1}], obstacles: [{x: 0, y: 0}]}))
    const rows = text.split('\n').slice(1, 201)
    for (const row of rows) assert.equal(row.length, 300)
    assert.equal(rows[0], `#${'.'.repeat(299)}`)
    assert.equal(rows[199], `${'.'.repeat(299)}a`)
  })
})

describe('writeMap: maps the format cannot hold', () => {
  const base = (change: Partial<GridMap>): GridMap => ({name: 'Base', width: 4, height: 3, observers: [], obstacles: [], ...change})

  it('refuses two observers on one tile, naming them and the tile', () => {
    const problems = problemsOf(
      writeMap(
        base({
          observers: [
            {name: 'One', x: 1, y: 1, vision: null},
            {name: 'Two', x: 1, y: 1, vision: 2},
            {name: 'Three', x: 1, y: 1, vision: null},
          ],
        }),
      ),
    )
    assert.deepEqual(problems, ['observers "One", "Two" and "Three" stand on the same tile (1,1)'])
  })

  it('refuses an observer on an obstacle', () => {
    const problems = problemsOf(writeMap(base({observers: [{name: 'Stuck', x: 2, y: 0, vision: null}], obstacles: [{x: 2, y: 0}]})))
    assert.deepEqual(problems, ['observer "Stuck" stands on an obstacle at (2,0)'])
  })

  it('refuses observers and obstacles outside the bounds', () => {
    const problems = problemsOf(
      writeMap(
        base({
          observers: [
            {name: 'Out', x: 4, y: 0, vision: null},
            {name: 'Neg', x: 0, y: -1, vision: null},
            {name: 'Half', x: 0.5, y: 0, vision: null},
          ],
          obstacles: [{x: 0, y: 3}],
        }),
      ),
    )
    assert.deepEqual(problems, [
      'an obstacle is outside the 4x3 map: (0,3)',
      'observer "Out" at (4,0) is outside the 4x3 map',
      'observer "Neg" at (0,-1) is outside the 4x3 map',
      'observer "Half" at (0.5,0) is outside the 4x3 map',
    ])
  })

  it('lists at most ten positions of many obstacles outside', () => {
    const obstacles = Array.from({length: 25}, (_, i) => ({x: 10 + i, y: 0}))
    const [problem] = problemsOf(writeMap(base({obstacles})))
    assert.match(problem as string, /^25 obstacles are outside the 4x3 map: \(10,0\), .*\(19,0\) and 15 more$/)
  })

  it('refuses a map with no rows or no columns', () => {
    assert.deepEqual(problemsOf(writeMap(base({width: 0}))), ["the map's width is 0; a map needs a whole number of at least 1 for each side to be written as a grid"])
    assert.match(problemsOf(writeMap(base({height: 0})))[0] as string, /the map's height is 0/)
  })

  it('refuses names the format cannot hold', () => {
    const problems = problemsOf(
      writeMap(
        base({
          name: 'Two\nLines',
          observers: [
            {name: 'x'.repeat(33), x: 0, y: 0, vision: null},
            {name: '---', x: 1, y: 0, vision: null},
            {name: '', x: 2, y: 0, vision: null},
          ],
        }),
      ),
    )
    assert.deepEqual(problems, [
      'the map name "Two\nLines" contains a line break',
      `observer name "${'x'.repeat(33)}" is 33 characters long; at most 32 are allowed`,
      'observer name "---" has no letter or digit',
      'observer name "" is empty',
    ])
  })

  it('refuses a map name that starts with a byte-order mark', () => {
    assert.match(problemsOf(writeMap(base({name: '\uFEFFName'})))[0] as string, /starts with a byte-order mark/)
  })

  it('refuses two observers with one name, and a negative vision', () => {
    const problems = problemsOf(
      writeMap(
        base({
          observers: [
            {name: 'Same', x: 0, y: 0, vision: null},
            {name: 'Same', x: 1, y: 0, vision: -1},
          ],
        }),
      ),
    )
    assert.deepEqual(problems, ['two observers are named "Same"', 'observer "Same" has vision -1; it must be a non-negative number'])
  })

  it('refuses more observers than usable symbols', () => {
    const width = 100
    const count = 5000
    const crowd = Array.from({length: count}, (_, i) => ({name: `P${i}`, x: i % width, y: Math.floor(i / width), vision: null}))
    const problems = problemsOf(writeMap({name: 'Crowd', width, height: count / width, observers: crowd, obstacles: []}))
    assert.equal(problems.length, 1)
    assert.match(problems[0] as string, /^the map has 5000 observers but only \d+ symbols are available for the grid$/)
  })
})
