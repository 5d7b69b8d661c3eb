import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {formatDiagnostic, parseMap, type ParseResult} from '../../../src/format/index.js'
import type {LocalMap} from '../../../src/model/types.js'
import {FANCY} from '../../helpers/maps.js'

function mapOf(result: ParseResult): LocalMap {
  if (!result.ok) assert.fail(`expected a valid map, got:\n${result.diagnostics.map(formatDiagnostic).join('\n')}`)
  return result.map
}

/** The problems of an invalid file as `line:column: message`. */
function problems(text: string | Uint8Array): string[] {
  const result = parseMap(text, 'm.map')
  if (result.ok) assert.fail('expected problems, but the map is valid')
  for (const d of result.diagnostics) assert.equal(d.file, 'm.map')
  return result.diagnostics.map((d) => `${d.line}:${d.column}: ${d.message}`)
}

/** Asserts exactly one problem, at line:column, whose message matches. */
function assertOneProblem(text: string | Uint8Array, at: string, message: RegExp): void {
  const found = problems(text)
  assert.equal(found.length, 1, `expected one problem, got:\n${found.join('\n')}`)
  assert.ok(found[0]?.startsWith(`${at}: `), `expected a problem at ${at}, got ${found[0]}`)
  assert.match(found[0] as string, message)
}

describe('parseMap: valid files', () => {
  it('reads the Fancy Map: size, obstacles by row then column, observers in legend order', () => {
    const map = mapOf(parseMap(FANCY, 'maps/fancy.map'))
    assert.deepEqual(map, {
      file: 'maps/fancy.map',
      name: 'Fancy Map',
      width: 12,
      height: 6,
      observers: [
        {name: 'Fancy Observer A', x: 1, y: 1, vision: 6, symbol: 'a'},
        {name: 'Fancy Observer B', x: 10, y: 1, vision: 6, symbol: 'b'},
        {name: 'Fancy Observer C', x: 1, y: 4, vision: 6, symbol: 'c'},
        {name: 'Fancy Observer D', x: 10, y: 4, vision: 6, symbol: 'd'},
      ],
      obstacles: [
        {x: 5, y: 1},
        {x: 6, y: 1},
        {x: 5, y: 2},
        {x: 8, y: 3},
        {x: 9, y: 3},
        {x: 10, y: 3},
        {x: 11, y: 3},
        {x: 4, y: 5},
        {x: 5, y: 5},
      ],
    })
  })

  it('keeps legend order rather than grid order', () => {
    const map = mapOf(parseMap('M\nab\nb,Second\na,First\n', 'm.map'))
    assert.deepEqual(
      map.observers.map((o) => [o.symbol, o.name]),
      [
        ['b', 'Second'],
        ['a', 'First'],
      ],
    )
  })

  const variants: Array<[string, string | Uint8Array]> = [
    ['CRLF line endings', FANCY.replaceAll('\n', '\r\n')],
    ['a UTF-8 byte-order mark (bytes)', new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(FANCY)])],
    ['a byte-order mark (string)', `\uFEFF${FANCY}`],
    ['no final newline', FANCY.slice(0, -1)],
    ['trailing blank lines', `${FANCY}\n\n  \n\t\n`],
    ['trailing blank CRLF lines and a BOM', `\uFEFF${FANCY.replaceAll('\n', '\r\n')}\r\n\r\n`],
  ]
  for (const [what, text] of variants) {
    it(`accepts ${what}`, () => {
      assert.deepEqual(mapOf(parseMap(text, 'maps/fancy.map')), mapOf(parseMap(FANCY, 'maps/fancy.map')))
    })
  }

  it('reads bytes and strings alike', () => {
    assert.deepEqual(mapOf(parseMap(new TextEncoder().encode(FANCY), 'f')), mapOf(parseMap(FANCY, 'f')))
  })

  it('reads vision: integers, decimals, zero, empty or absent for no limit', () => {
    const map = mapOf(parseMap('M\nabcdef\na,A,6\nb,B,2.5\nc,C,0\nd,D,\ne,E\nf,F, 3 \n', 'm.map'))
    assert.deepEqual(
      map.observers.map((o) => o.vision),
      [6, 2.5, 0, null, null, 3],
    )
  })

  it('takes the name between the first and the last comma, so names may hold commas', () => {
    const map = mapOf(parseMap('M\nab\na,Smith, John,4\nb,Doe, Jane,\n', 'm.map'))
    assert.deepEqual(
      map.observers.map((o) => [o.name, o.vision]),
      [
        ['Smith, John', 4],
        ['Doe, Jane', null],
      ],
    )
  })

  it('keeps names exactly, spaces and case included', () => {
    const map = mapOf(parseMap(' My  Map \na\na, Obs A ,1\n', 'm.map'))
    assert.equal(map.name, ' My  Map ')
    assert.equal(map.observers[0]?.name, ' Obs A ')
  })

  it('counts an emoji as one character in names (32 emoji are allowed)', () => {
    const name = `${'🌲'.repeat(31)}1`
    const map = mapOf(parseMap(`${name}\na\na,${name}\n`, 'm.map'))
    assert.equal(map.name, name)
    assert.equal(map.observers[0]?.name, name)
  })

  it('places symbols beyond the BMP by code point', () => {
    const map = mapOf(parseMap('Zoo\n🦉.🐝\n#🦊.\n🦉,Owl\n🐝,Bee,1\n🦊,Fox\n', 'm.map'))
    assert.equal(map.width, 3)
    assert.deepEqual(
      map.observers.map((o) => [o.symbol, o.x, o.y]),
      [
        ['🦉', 0, 0],
        ['🐝', 2, 0],
        ['🦊', 1, 1],
      ],
    )
    assert.deepEqual(map.obstacles, [{x: 0, y: 1}])
  })
})

describe('parseMap: problems, each at its line and column', () => {
  it('reports an empty file', () => {
    assertOneProblem('', '1:1', /the file is empty/)
    assertOneProblem(new Uint8Array(), '1:1', /the file is empty/)
    assertOneProblem('\n\n  \r\n', '1:1', /the file is empty/)
  })

  it('reports a blank first line and gives no name', () => {
    const result = parseMap('\n..\n', 'm.map')
    assert.equal(result.ok, false)
    assert.equal('name' in result, false)
    assertOneProblem('  \n..\n', '1:1', /line 1 should be the map name but it is blank/)
  })

  it('reports a name with no grid, and keeps the name', () => {
    assertOneProblem('Lonely\n', '2:1', /no grid/)
    const result = parseMap('Lonely\n', 'm.map')
    assert.equal(!result.ok && result.name, 'Lonely')
  })

  it('reports a name followed directly by the legend as having no grid', () => {
    assert.deepEqual(problems('Lonely\na,Obs\n'), [
      '2:1: no grid: the lines after the map name should be grid rows ("." an empty tile, "#" an obstacle, a symbol for each observer)',
    ])
  })

  it('reports a short row: which row, expected and actual width, column past its end', () => {
    assertOneProblem('M\n....\n...\n....\n', '3:4', /row 2 of the grid is 3 characters wide, expected 4/)
  })

  it('reports a long row at its first extra character', () => {
    assertOneProblem('M\n....\n.....\n....\n', '3:5', /row 2 of the grid is 5 characters wide, expected 4/)
  })

  it('takes the width most rows have, so a wrong first row is the one reported', () => {
    assertOneProblem('M\n.....\n....\n....\n', '2:5', /row 1 of the grid is 5 characters wide, expected 4 \(the width of 2 of the 3 rows\)/)
  })

  it('counts row width in code points', () => {
    assertOneProblem('M\n🦉..\n....\n....\n🦉,Owl\n', '2:4', /row 1 of the grid is 3 characters wide, expected 4/)
  })

  it('reports a symbol on the grid without a legend line, where it stands', () => {
    assertOneProblem('M\n..\n.x\n', '3:2', /symbol "x" on the grid has no legend line/)
  })

  it('reports a legend symbol missing from the grid, on its legend line', () => {
    assertOneProblem('M\n.a\na,A\nb,B,2\n', '4:1', /symbol "b" has a legend line but is not on the grid/)
  })

  it('reports a symbol used twice on the grid, at the second place, naming the first', () => {
    assertOneProblem('M\n.a.\n..a\na,A\n', '3:3', /symbol "a" is on the grid 2 times \(first at line 2, column 2\)/)
  })

  it('reports a symbol used twice in the legend', () => {
    assertOneProblem('M\na\na,A\na,B\n', '4:1', /symbol "a" already has a legend line on line 3/)
  })

  it('reports an observer name used twice in one map', () => {
    assertOneProblem('M\nab\na,Twin\nb,Twin\n', '4:3', /observer name "Twin" is already used on line 3; observer names must be unique/)
  })

  it('reports a vision that is not a number, at the vision', () => {
    assertOneProblem('M\na\na,Obs,far\n', '3:7', /vision "far" is not a number/)
  })

  it('hints at the trailing comma when a comma in a name was taken for the vision', () => {
    assertOneProblem('M\na\na,Smith, John\n', '3:9', /vision " John" is not a number.*a name that contains ","/)
  })

  it('reports a negative vision', () => {
    assertOneProblem('M\na\na,Obs,-2\n', '3:7', /vision -2 is negative/)
  })

  it('reports a vision too large to be a number', () => {
    assertOneProblem(`M\na\na,Obs,${'9'.repeat(400)}\n`, '3:7', /is too large/)
  })

  it('reports a vision written with an exponent', () => {
    assertOneProblem('M\na\na,Obs,1e3\n', '3:7', /vision "1e3" is not a number/)
  })

  it('reports a map name over 32 code points', () => {
    assertOneProblem(`${'🌲'.repeat(32)}x\n.\n`, '1:1', /the map name ".*" is 33 characters long; at most 32 are allowed/)
  })

  it('reports a map name without a letter or digit', () => {
    assertOneProblem('!!! ---\n.\n', '1:1', /the map name "!!! ---" has no letter or digit/)
  })

  it('reports an observer name over 32 code points, at the name', () => {
    assertOneProblem(`M\na\na,${'x'.repeat(33)},1\n`, '3:3', /observer name "x{33}" is 33 characters long/)
  })

  it('reports an observer name without a letter or digit', () => {
    assertOneProblem('M\na\na,🦉🦉,1\n', '3:3', /observer name "🦉🦉" has no letter or digit/)
  })

  it('reports an empty observer name', () => {
    assertOneProblem('M\na\na,,5\n', '3:3', /the observer name is empty/)
  })

  it('reports a legend line without a symbol', () => {
    const found = problems('M\n.\n,Nobody,5\n')
    assert.deepEqual(found, ['3:1: the legend line has no symbol before the first comma: expected symbol,name,vision such as "a,Observer A,6"'])
  })

  it('reports a legend symbol longer than one character', () => {
    assertOneProblem('M\na\na,A\nbc,B\n', '4:1', /legend symbol "bc" must be a single character/)
  })

  it('reports "." and "#" used as legend symbols', () => {
    assert.deepEqual(problems('M\na\na,A\n.,Dot\n#,Hash\n'), [
      '4:1: "." cannot be an observer\'s symbol: it marks an empty tile',
      '5:1: "#" cannot be an observer\'s symbol: it marks an obstacle',
    ])
  })

  it('reports a tab in the grid, and how many more are on the line', () => {
    assertOneProblem('M\n.\t.\t\n....\n', '2:2', /a tab in the grid: use "\." for an empty tile \(1 more on this line\)/)
  })

  it('reports a space in the grid', () => {
    assertOneProblem('M\n. ..\n....\n', '2:2', /a space in the grid/)
  })

  it('reports other white space in the grid by code point', () => {
    assertOneProblem('M\n.\u00a0..\n....\n', '2:2', /U\+00A0 in the grid/)
  })

  it('reports "," in the grid', () => {
    assertOneProblem('M\n..,.\n....\n', '2:3', /"," in the grid/)
  })

  it('reports a legend line without a comma', () => {
    assertOneProblem('M\na.\na,A\nb Bob 3\n', '4:1', /legend line without a comma: expected symbol,name,vision/)
  })

  it('reports a grid row after the legend started', () => {
    const found = problems('M\n....\na,A\n.a..\n')
    assert.deepEqual(found, [
      '3:1: symbol "a" has a legend line but is not on the grid',
      '4:1: a grid row after the legend (which starts on line 3): grid rows must all come before the legend',
    ])
  })

  it('reports a blank line inside the file', () => {
    assertOneProblem('M\n..\n\n..\n', '3:1', /blank line: only the end of the file may have blank lines/)
  })

  it('counts columns in code points', () => {
    assertOneProblem('M\n🦉🐝 .\n....\n🦉,Owl\n🐝,Bee\n', '2:3', /a space in the grid/)
  })

  it('points at the first byte that is not UTF-8, keeping the name from line 1', () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('Märk\n.ä'), 0xff, 0x2e, 0x0a])
    const result = parseMap(bytes, 'm.map')
    assert.equal(result.ok, false)
    assert.equal(!result.ok && result.name, 'Märk')
    assertOneProblem(bytes, '2:3', /the file is not UTF-8 text: byte 0xFF/)
  })

  it('finds truncated, overlong and surrogate sequences', () => {
    const cases: Array<[number[], string]> = [
      [[0x41, 0xc3], '1:2'],
      [[0x41, 0xc0, 0xaf], '1:2'],
      [[0x41, 0xe0, 0x80, 0xaf], '1:2'],
      [[0x41, 0xed, 0xa0, 0x80], '1:2'],
      [[0x41, 0xf4, 0x90, 0x80, 0x80], '1:2'],
      [[0x0a, 0x0a, 0xe2, 0x82, 0xac, 0x80], '3:2'],
    ]
    for (const [bytes, at] of cases) assertOneProblem(new Uint8Array(bytes), at, /not UTF-8/)
  })

  it('reports every problem in a file, top to bottom, not just the first', () => {
    const text = ['!!', '..a.', '.a\t', '.x..', 'a,,-1', 'a,Dup', 'z,Zed', '....', ''].join('\n')
    assert.deepEqual(problems(text), [
      '1:1: the map name "!!" has no letter or digit',
      '3:2: symbol "a" is on the grid 2 times (first at line 2, column 3); each observer stands on exactly one tile',
      '3:3: a tab in the grid: use "." for an empty tile',
      '3:4: row 2 of the grid is 3 characters wide, expected 4 (the width of 2 of the 3 rows); every row must have the same width',
      '4:2: symbol "x" on the grid has no legend line (add one such as "x,Observer name,6" after the grid)',
      '5:3: the observer name is empty: expected symbol,name,vision such as "a,Observer A,6"',
      '5:4: vision -1 is negative: it must be 0 or more, or left empty for no limit',
      '6:1: symbol "a" already has a legend line on line 5; each symbol has exactly one',
      '7:1: symbol "z" has a legend line but is not on the grid',
      '8:1: a grid row after the legend (which starts on line 5): grid rows must all come before the legend',
    ])
  })

  it('keeps the map name of an invalid file', () => {
    const result = parseMap('Broken Map\n.x\n', 'm.map')
    assert.equal(result.ok, false)
    assert.equal(!result.ok && result.name, 'Broken Map')
  })
})

describe('parseMap: byte-order marks', () => {
  it('accepts one and refuses a second, which would start the map name', () => {
    assert.equal(parseMap('\uFEFFM\n.\n', 'one.map').ok, true)
    const two = parseMap(new TextEncoder().encode('\uFEFF\uFEFFM\n.\n'), 'two.map')
    assert.equal(two.ok, false)
    assert.match(JSON.stringify(two), /second byte-order mark/)
  })
})
