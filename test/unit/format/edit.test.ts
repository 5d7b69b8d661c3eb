import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {editMap, type EditResult, parseMap, writeMap} from '../../../src/format/index.js'
import {symbolSequence} from '../../../src/format/symbols.js'
import {plainDecimal} from '../../../src/format/write.js'
import {codePointLength, type GridMap, type LocalMap, MAX_NAME_LENGTH, type Observer, type Position, positionKey} from '../../../src/model/types.js'
import {FANCY} from '../../helpers/maps.js'

function read(text: string): LocalMap {
  const result = parseMap(text, 'm.map')
  if (!result.ok) assert.fail(`not a valid map: ${result.diagnostics.map((d) => `${d.line}:${d.column} ${d.message}`).join('; ')}\n${text}`)
  return result.map
}

/** The map a file says, without file details: what a target is built from. */
function plain(map: GridMap): GridMap {
  return {
    name: map.name,
    width: map.width,
    height: map.height,
    observers: map.observers.map(({name, x, y, vision}) => ({name, x, y, vision})),
    obstacles: map.obstacles.map(({x, y}) => ({x, y})),
  }
}

/** A map compared as the format sees it: observers by name, obstacles as a set. */
function comparable(map: GridMap): GridMap {
  const obstacles = [...new Map(map.obstacles.map((p) => [positionKey(p), {x: p.x, y: p.y}])).values()]
  return {
    ...plain(map),
    observers: plain(map).observers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    obstacles: obstacles.sort((a, b) => a.y - b.y || a.x - b.x),
  }
}

function textOf(result: EditResult): string {
  if (!result.ok) assert.fail(`expected an edited file, got: ${result.problems.join('; ')}`)
  return result.text
}

function problemsOf(result: EditResult): string[] {
  if (result.ok) assert.fail(`expected problems, got an edited file:\n${result.text}`)
  return result.problems
}

/** The file edited to say what `change` makes of the map it says now; checks that it then reads as that map. */
function edit(text: string, change: (map: GridMap) => GridMap): string {
  const target = change(plain(read(text)))
  const edited = textOf(editMap(text, target))
  assert.deepEqual(comparable(read(edited)), comparable(target))
  return edited
}

function observer(map: GridMap, name: string): Observer {
  const found = map.observers.find((o) => o.name === name)
  if (!found) assert.fail(`no observer ${name}`)
  return found
}

const A = 'Fancy Observer A'
const B = 'Fancy Observer B'
const D = 'Fancy Observer D'

const crlf = (text: string): string => text.replace(/\n/g, '\r\n')

describe('editMap: a target the file already says', () => {
  const texts: Record<string, string> = {
    'the canonical form': FANCY,
    'CRLF line endings': crlf(FANCY),
    'a byte-order mark': `\uFEFF${FANCY}`,
    'no final newline': FANCY.slice(0, -1),
    'CRLF without a final newline': crlf(FANCY).slice(0, -2),
    'trailing blank lines': `${FANCY}\n  \n\t`,
    'mixed line endings': 'Mixed\r\n.a\n#.\r\na,Amy,6.0\nb,Bob, 2.50 \r\n'.replace('#.', '#b'),
    'custom symbols and legend order': 'Custom\n🦉.Ж\n..#\nЖ,Zed,\n🦉,Owl, Hoot,1\n',
    'a lone CR before the end': 'Lone\n.a\na,Amy,6\r',
  }
  for (const [what, text] of Object.entries(texts)) {
    it(`gives back the text unchanged: ${what}`, () => {
      const map = read(text)
      assert.equal(textOf(editMap(text, map)), text)
      // Observer and obstacle order, and repeated obstacles, are not part of what a map says.
      const shuffled = {...plain(map), observers: [...map.observers].reverse(), obstacles: [...map.obstacles, ...map.obstacles].reverse()}
      assert.equal(textOf(editMap(text, shuffled)), text)
    })
  }

  it('accepts UTF-8 bytes as parseMap does, the byte-order mark kept', () => {
    const text = `\uFEFF${crlf(FANCY)}`
    assert.equal(textOf(editMap(new TextEncoder().encode(text), read(text))), text)
  })
})

describe('editMap: observers', () => {
  it('a moved observer takes its symbol along; no other line changes', () => {
    const edited = edit(FANCY, (map) => {
      Object.assign(observer(map, A), {x: 0, y: 0})
      return map
    })
    assert.equal(edited, FANCY.replace('\n............\n.a...', '\na...........\n.....'))
  })

  it('two observers swap tiles', () => {
    const edited = edit(FANCY, (map) => {
      Object.assign(observer(map, A), {x: 10, y: 1})
      Object.assign(observer(map, B), {x: 1, y: 1})
      return map
    })
    assert.equal(edited, FANCY.replace('.a...##...b.', '.b...##...a.'))
  })

  it('an observer moves onto a tile whose obstacle is removed, and leaves one behind', () => {
    const edited = edit(FANCY, (map) => {
      Object.assign(observer(map, A), {x: 5, y: 1})
      map.obstacles = [...map.obstacles.filter((p) => !(p.x === 5 && p.y === 1)), {x: 1, y: 1}]
      return map
    })
    assert.equal(edited, FANCY.replace('.a...##...b.', '.#...a#...b.'))
  })

  it('a new observer gets the next unused symbol and a legend line after the last one', () => {
    const edited = edit(FANCY, (map) => {
      map.observers.push({name: 'New', x: 0, y: 0, vision: 3})
      return map
    })
    assert.equal(edited, `${FANCY.replace('\n............\n', '\ne...........\n')}e,New,3\n`)
  })

  it("a new observer never takes a symbol the file uses, even a removed observer's", () => {
    const text = 'S\nb.a\n.Z.\na,Amy\nb,Bob\nZ,Zoe\n'
    const edited = edit(text, (map) => {
      map.observers = map.observers.filter((o) => o.name !== 'Amy')
      map.observers.push({name: 'Cy', x: 2, y: 1, vision: null}, {name: 'Di', x: 0, y: 1, vision: null})
      return map
    })
    assert.equal(edited, 'S\nb..\ndZc\nb,Bob\nZ,Zoe\nc,Cy\nd,Di\n')
  })

  it("a removed observer's symbol is handed out once every other one is taken", () => {
    const sequence = symbolSequence()
    const text = 'Full\na\na,Amy\n'
    const edited = edit(text, (map) => ({
      ...map,
      width: 30,
      height: 30,
      observers: sequence.map((_, i) => ({name: `O${i}`, x: i % 30, y: Math.floor(i / 30), vision: null})),
    }))
    const map = read(edited)
    assert.equal(map.observers.length, sequence.length)
    assert.equal(map.observers[map.observers.length - 1]?.symbol, 'a')
  })

  it('new observers keep CRLF, a missing final newline and trailing blank lines as they were', () => {
    const add = (map: GridMap): GridMap => ({...map, observers: [...map.observers, {name: 'Smith, John', x: 11, y: 5, vision: null}]})
    const line = 'e,Smith, John,'
    assert.equal(edit(crlf(FANCY), add), crlf(`${FANCY.replace('....##......\n', '....##.....e\n')}${line}\n`))
    assert.equal(edit(FANCY.slice(0, -1), add), `${FANCY.replace('....##......\n', '....##.....e\n')}${line}`)
    assert.equal(edit(`${FANCY}\n \n`, add), `${FANCY.replace('....##......\n', '....##.....e\n')}${line}\n\n \n`)
  })

  it("in a file mixing line endings, new lines take the first line's ending and the others keep theirs", () => {
    const text = 'Mixed\r\n..\n.a\r\na,Amy,6\n'
    const edited = edit(text, (map) => ({...map, height: 3, observers: [...map.observers, {name: 'Bob', x: 0, y: 2, vision: 1}]}))
    assert.equal(edited, 'Mixed\r\n..\n.a\r\nb.\r\na,Amy,6\nb,Bob,1\r\n')
  })

  it('a map without observers gets its first legend line after the grid', () => {
    const edited = edit('Empty\n..\n.#', (map) => ({...map, observers: [{name: 'Amy', x: 0, y: 0, vision: null}]}))
    assert.equal(edited, 'Empty\na.\n.#\na,Amy')
  })

  it('a removed observer loses its legend line and its tile becomes "." or "#"', () => {
    const edited = edit(FANCY, (map) => {
      map.observers = map.observers.filter((o) => o.name !== A && o.name !== D)
      map.obstacles.push({x: 10, y: 4})
      return map
    })
    assert.equal(
      edited,
      FANCY.replace('.a...##...b.', '.....##...b.').replace('.c........d.', '.c........#.').replace('a,Fancy Observer A,6\n', '').replace('d,Fancy Observer D,6\n', ''),
    )
  })

  it('removing the last legend line of a file without a final newline leaves it without one', () => {
    const edited = edit(FANCY.slice(0, -1), (map) => ({...map, observers: map.observers.filter((o) => o.name !== D)}))
    assert.equal(edited, FANCY.replace('.c........d.', '.c..........').replace('\nd,Fancy Observer D,6\n', ''))
  })

  it('removing every observer leaves the grid and any trailing blank lines', () => {
    const edited = edit('Gone\r\na#\r\na,Amy,6\r\n\r\n', (map) => ({...map, observers: []}))
    assert.equal(edited, 'Gone\r\n.#\r\n\r\n')
  })
})

describe('editMap: vision', () => {
  const cases: Array<{what: string; line: string; vision: number | null; becomes: string}> = [
    {what: 'a new number', line: 'a,Amy,6', vision: 7, becomes: 'a,Amy,7'},
    {what: 'a fraction', line: 'a,Amy,6', vision: 2.5, becomes: 'a,Amy,2.5'},
    {what: 'an integral number without ".0"', line: 'a,Amy,2.5', vision: 7.0, becomes: 'a,Amy,7'},
    {what: 'no limit: the short form', line: 'a,Amy,6', vision: null, becomes: 'a,Amy'},
    {what: 'no limit for a name with commas', line: 'a,Smith, John,6', vision: null, becomes: 'a,Smith, John,'},
    {what: 'a limit where the short form had none', line: 'a,Amy', vision: 4, becomes: 'a,Amy,4'},
    {what: 'a limit where an empty field had none', line: 'a,Amy,', vision: 4, becomes: 'a,Amy,4'},
    {what: 'a number with white space around it', line: 'a,Amy, 6 ', vision: 8, becomes: 'a,Amy, 8 '},
    {what: 'a tiny number in plain notation', line: 'a,Amy,1', vision: 1.5e-7, becomes: 'a,Amy,0.00000015'},
  ]
  for (const {what, line, vision, becomes} of cases) {
    it(`rewrites only the vision field: ${what}`, () => {
      const text = `V\na.\nb#\n${line}\nb,Bob,1.0\n`
      const edited = edit(text, (map) => {
        const first = map.observers[0] as Observer
        first.vision = vision
        return map
      })
      assert.equal(edited, `V\na.\nb#\n${becomes}\nb,Bob,1.0\n`)
    })
  }

  it('keeps the way an unchanged vision is written ("6.0", " 6", an empty field)', () => {
    const text = 'V\nabc\na,Amy,6.0\nb,Bob, 6\nc,Cy,\n'
    assert.equal(
      edit(text, (map) => ({...map, observers: map.observers.map((o) => ({...o, vision: o.name === 'Cy' ? null : 6}))})),
      text,
    )
  })

  it('writes "no limit" the way the file writes it', () => {
    const text = 'V\nabc\na,Amy,\nb,Bob,\nc,Cy,6\n'
    const edited = edit(text, (map) => {
      observer(map, 'Cy').vision = null
      map.observers.push({name: 'Di', x: 0, y: 0, vision: null})
      map.observers = map.observers.map((o) => (o.name === 'Amy' ? {...o, x: 1, y: 1} : o))
      return {...map, height: 2}
    })
    assert.equal(edited, 'V\ndbc\n.a.\na,Amy,\nb,Bob,\nc,Cy,\nd,Di,\n')
  })
})

describe('editMap: obstacles, size and name', () => {
  it('added and removed obstacles flip single tiles', () => {
    const edited = edit(FANCY, (map) => {
      map.obstacles = [...map.obstacles.filter((p) => p.y !== 3), {x: 0, y: 0}, {x: 11, y: 5}]
      return map
    })
    assert.equal(edited, FANCY.replace('\n............\n', '\n#...........\n').replace('........####', '............').replace('....##......', '....##.....#'))
  })

  it('growing adds "." at the right and rows at the bottom', () => {
    const text = 'Grow\r\na#\r\n.b\r\na,Amy,6\r\nb,Bob\r\n'
    const edited = edit(text, (map) => ({...map, width: 4, height: 3}))
    assert.equal(edited, 'Grow\r\na#..\r\n.b..\r\n....\r\na,Amy,6\r\nb,Bob\r\n')
  })

  it('growing a grid that ends the file without a final newline', () => {
    const edited = edit('Grow\n..\n.#', (map) => ({...map, height: 3, obstacles: [...map.obstacles, {x: 0, y: 2}]}))
    assert.equal(edited, 'Grow\n..\n.#\n#.')
  })

  it('shrinking cuts columns at the right and rows at the bottom', () => {
    const text = '\uFEFFCut\n🦉.#.\n..#.\n.##b\nb,Bob\n🦉,Owl,1\n'
    const edited = edit(text, (map) => ({
      ...map,
      width: 2,
      height: 2,
      observers: map.observers.filter((o) => o.name === 'Owl'),
      obstacles: map.obstacles.filter((p) => p.x < 2 && p.y < 2),
    }))
    assert.equal(edited, '\uFEFFCut\n🦉.\n..\n🦉,Owl,1\n')
  })

  it('shrinking one way while growing the other', () => {
    const edited = edit('Both\na..\n.#.\na,Amy', (map) => ({...map, width: 4, height: 1, obstacles: []}))
    assert.equal(edited, 'Both\na...\na,Amy')
  })

  it('a new name rewrites line 1 only, after a byte-order mark, with commas and emoji', () => {
    const text = `\uFEFF${crlf(FANCY)}`
    const edited = edit(text, (map) => ({...map, name: 'Fancy, Map 🌲 2'}))
    assert.equal(edited, text.replace('Fancy Map\r\n', 'Fancy, Map 🌲 2\r\n'))
  })
})

describe('editMap: targets the format cannot hold', () => {
  const fancy = (): GridMap => plain(read(FANCY))
  const cases: Record<string, (map: GridMap) => GridMap> = {
    'two observers on one tile': (map) => ({...map, observers: map.observers.map((o) => (o.name === A ? {...o, x: 10, y: 1} : o))}),
    'an observer on an obstacle': (map) => ({...map, observers: map.observers.map((o) => (o.name === A ? {...o, x: 5, y: 1} : o))}),
    'an observer outside the map': (map) => ({...map, observers: map.observers.map((o) => (o.name === A ? {...o, x: 12} : o))}),
    'an obstacle outside after a resize': (map) => ({...map, width: 5, observers: map.observers.filter((o) => o.x < 5)}),
    'a side of 0': (map) => ({...map, height: 0}),
    'a bad map name': (map) => ({...map, name: '--'}),
    'a map name with a byte-order mark': (map) => ({...map, name: '\uFEFFName'}),
    'a bad observer name': (map) => ({...map, observers: [...map.observers, {name: 'x\ny', x: 0, y: 0, vision: null}]}),
    'two observers with one name': (map) => ({...map, observers: [...map.observers, {name: A, x: 0, y: 0, vision: null}]}),
    'a negative vision': (map) => ({...map, observers: map.observers.map((o) => (o.name === A ? {...o, vision: -1} : o))}),
    'a vision that is not a number': (map) => ({...map, observers: map.observers.map((o) => (o.name === A ? {...o, vision: Number.NaN} : o))}),
    'more observers than symbols': (map) => ({
      ...map,
      width: 40,
      height: 40,
      obstacles: [],
      observers: Array.from({length: 1000}, (_, i) => ({name: `O${i}`, x: i % 40, y: Math.floor(i / 40), vision: null})),
    }),
  }
  for (const [what, change] of Object.entries(cases)) {
    it(`refuses ${what} in writeMap's words`, () => {
      const target = change(fancy())
      const problems = problemsOf(editMap(FANCY, target))
      assert.ok(problems.length > 0)
      const written = writeMap(target)
      assert.ok(!written.ok)
      assert.deepEqual(problems, written.problems)
    })
  }

  it('counts symbols outside the fixed sequence that the file already uses', () => {
    const count = symbolSequence().length
    const text = 'Owls\n🦉\n🦉,Owl\n'
    const target: GridMap = {
      name: 'Owls',
      width: 30,
      height: 30,
      obstacles: [],
      observers: Array.from({length: count + 1}, (_, i) => ({name: i === 0 ? 'Owl' : `O${i}`, x: i % 30, y: Math.floor(i / 30), vision: null})),
    }
    const edited = textOf(editMap(text, target))
    assert.deepEqual(comparable(read(edited)), comparable(target))
    target.observers.push({name: 'One too many', x: 29, y: 29, vision: null})
    assert.deepEqual(problemsOf(editMap(text, target)), [`the map has ${count + 2} observers but only ${count + 1} symbols are available for the grid`])
  })

  it('refuses a text that is not a valid map, saying where', () => {
    assert.deepEqual(problemsOf(editMap('Bad\n.a\n', read(FANCY))), [
      'the file is not a valid map: line 2, column 2: symbol "a" on the grid has no legend line (add one such as "a,Observer name,6" after the grid)',
    ])
    assert.equal(problemsOf(editMap(new Uint8Array([0x4e, 0x0a, 0xff]), read(FANCY))).length, 1)
    assert.match(problemsOf(editMap('\uFEFF\uFEFFTwice\n.\n', read(FANCY)))[0] as string, /second byte-order mark/)
  })
})

// ---------------------------------------------------------------------------------
// Property-based: random files in random styles, random edits. The runs end at the
// first failure without shrinking: values drawn one by one with fc.gen shrink slowly
// and run out of memory; the report's seed and path replay the failing case.

const NAME_PIECES = ['a', 'Z', '7', ' ', ',', '.', '#', '-', 'ä', 'Ω', 'Ж', '日', '🌲', '🦉', '\t']
const validName = fc
  .tuple(fc.array(fc.constantFrom(...NAME_PIECES), {maxLength: 8}), fc.constantFrom('a', 'Z', '7', 'ä', 'Ж', '日'), fc.array(fc.constantFrom(...NAME_PIECES), {maxLength: 4}))
  .map(([before, anchor, after]) => `${before.join('')}${anchor}${after.join('')}`)
  .filter((name) => codePointLength(name) <= MAX_NAME_LENGTH)
const vision = fc.option(fc.oneof(fc.nat(20), fc.double({min: 0, max: 1e6, noNaN: true})), {nil: null})
const side = fc.integer({min: 1, max: 10})
/** Symbols a person might pick, inside and outside the writer's sequence. */
const CUSTOM_SYMBOLS = ['🦉', '🌲', 'Ж', 'ä', 'Ω', 'z', 'Q', '7', '@', '~', '日', 'x', 'a', 'b']

/** Observers on distinct tiles, obstacles off them, everything inside. */
function valid(map: GridMap): GridMap {
  const inside = (p: Position): boolean => p.x < map.width && p.y < map.height
  const taken = new Set<string>()
  const names = new Set<string>()
  const observers = map.observers.filter((o) => {
    const fits = inside(o) && !taken.has(positionKey(o)) && !names.has(o.name)
    if (fits) taken.add(positionKey(o))
    names.add(o.name)
    return fits
  })
  return {...map, observers, obstacles: map.obstacles.filter((p) => inside(p) && !taken.has(positionKey(p)))}
}

interface Styled {
  text: string
  lines: Array<{text: string; end: string}>
  bom: boolean
  endings: 'lf' | 'crlf' | 'mixed'
  finalNewline: boolean
}

function splitEnds(text: string): Array<{text: string; end: string}> {
  const lines = text.split(/(?<=\n)/).map((piece) => {
    const end = /\r?\n$/.exec(piece)?.[0] ?? ''
    return {text: piece.slice(0, piece.length - end.length), end}
  })
  return lines.filter((line) => line.text !== '' || line.end !== '')
}

/** A random valid map written in a random style, as a person might have left it. */
function styledFile(g: fc.GeneratorValue): Styled {
  const width = g(() => side)
  const height = g(() => side)
  const position = fc.record({x: fc.nat(width - 1), y: fc.nat(height - 1)})
  const map = valid({
    name: g(() => validName),
    width,
    height,
    observers: g(() => fc.array(fc.record({name: validName, vision, x: fc.nat(width - 1), y: fc.nat(height - 1)}), {maxLength: 8})),
    obstacles: g(() => fc.array(position, {maxLength: width * height})),
  })
  const custom = g(() => fc.boolean())
  const symbols = custom ? new Map(map.observers.map((o, i) => [o.name, CUSTOM_SYMBOLS[(i * 5 + width) % CUSTOM_SYMBOLS.length] as string])) : undefined
  const written = writeMap(map, symbols ? {symbols} : {})
  if (!written.ok) throw new Error(written.problems.join('; '))

  const rows = written.text.split('\n').slice(0, 1 + height)
  const order = g(() => fc.shuffledSubarray(map.observers, {minLength: map.observers.length, maxLength: map.observers.length}))
  const legend = order.map((o) => {
    const symbol = written.symbols.get(o.name) as string
    const pad = g(() => fc.constantFrom('', ' '))
    if (o.vision === null) {
      if (o.name.includes(',')) return `${symbol},${o.name},${pad}`
      return g(() => fc.constantFrom(`${symbol},${o.name}`, `${symbol},${o.name},`, `${symbol},${o.name},${pad}`))
    }
    const number = Number.isInteger(o.vision) ? g(() => fc.constantFrom(plainDecimal(o.vision as number), `${plainDecimal(o.vision as number)}.0`)) : plainDecimal(o.vision)
    return `${symbol},${o.name},${pad}${number}${pad}`
  })
  const trailing = g(() => fc.array(fc.constantFrom('', ' ', '\t'), {maxLength: 2}))
  const texts = [...rows, ...legend, ...trailing]
  const endings = g(() => fc.constantFrom('lf' as const, 'crlf' as const, 'mixed' as const))
  const finalNewline = g(() => fc.boolean()) || trailing[trailing.length - 1] === ''
  const lines = texts.map((text, i) => {
    const last = i === texts.length - 1
    const end = last && !finalNewline ? '' : endings === 'lf' ? '\n' : endings === 'crlf' ? '\r\n' : g(() => fc.constantFrom('\n', '\r\n'))
    return {text, end}
  })
  const bom = g(() => fc.boolean())
  return {text: (bom ? '\uFEFF' : '') + lines.map((l) => l.text + l.end).join(''), lines, bom, endings, finalNewline}
}

/** A target made from the file's map by a few random edits, then made valid. */
function editedTarget(g: fc.GeneratorValue, map: GridMap): GridMap {
  let target = plain(map)
  const steps = g(() => fc.array(fc.constantFrom('name', 'move', 'vision', 'add', 'remove', 'obstacle', 'resize'), {maxLength: 6}))
  for (const step of steps) {
    const tile = (): Position => ({x: g(() => fc.nat(target.width - 1)), y: g(() => fc.nat(target.height - 1))})
    const some = (): Observer | undefined => (target.observers.length === 0 ? undefined : target.observers[g(() => fc.nat(target.observers.length - 1))])
    if (step === 'name') target.name = g(() => validName)
    else if (step === 'move') Object.assign(some() ?? {}, tile())
    else if (step === 'vision') Object.assign(some() ?? {}, {vision: g(() => vision)})
    else if (step === 'add') target.observers.push({name: g(() => validName), vision: g(() => vision), ...tile()})
    else if (step === 'remove') {
      const gone = some()
      target.observers = target.observers.filter((o) => o !== gone)
    } else if (step === 'obstacle') {
      const p = tile()
      const there = target.obstacles.some((q) => q.x === p.x && q.y === p.y)
      target.obstacles = there ? target.obstacles.filter((q) => q.x !== p.x || q.y !== p.y) : [...target.obstacles, p]
    } else target = {...target, width: g(() => side), height: g(() => side)}
    target = valid(target)
  }
  // The target's observer order and obstacle order say nothing.
  const observers = g(() => fc.shuffledSubarray(target.observers, {minLength: target.observers.length, maxLength: target.observers.length}))
  return {...target, observers, obstacles: [...target.obstacles].reverse()}
}

/** What stands on a tile, by observer name: the same name is the same symbol in both. */
function tile(map: GridMap, x: number, y: number): string {
  const there = map.observers.find((o) => o.x === x && o.y === y)
  if (there) return `@${there.name}`
  return map.obstacles.some((p) => p.x === x && p.y === y) ? '#' : '.'
}

describe('editMap (property-based)', () => {
  it('the edited file reads as the target, and every line the edit did not need to touch is where it was, byte for byte', () => {
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const file = styledFile(g)
        const before = read(file.text)
        const target = editedTarget(g, before)
        assert.ok(writeMap(target).ok, 'the target is writable')
        const edited = textOf(editMap(file.text, target))
        const after = read(edited)
        assert.deepEqual(comparable(after), comparable(target))

        // The file's style stays.
        assert.equal(edited.startsWith('\uFEFF'), file.bom)
        assert.equal(edited.endsWith('\n'), file.finalNewline)
        if (file.endings === 'crlf') assert.ok(!/[^\r]\n/.test(edited), 'CRLF throughout')
        if (file.endings === 'lf') assert.ok(!edited.includes('\r'), 'LF throughout')

        // Line by line: name, grid rows, kept legend lines in their order, new ones after, trailing lines.
        const out = splitEnds(edited.slice(file.bom ? 1 : 0))
        const lastOut = out.length - 1
        // A line keeps its ending whether or not its text changes; new lines take the first line's.
        const ending = (at: number, end: string, what: string): void => {
          if (at !== lastOut && end !== '') assert.equal(out[at]?.end, end, `${what}: its line ending changed`)
        }
        const same = (at: number, original: {text: string; end: string}, what: string): void => {
          const line = out[at]
          assert.ok(line, `${what}: line ${at + 1} is missing`)
          assert.equal(line.text, original.text, `${what} changed`)
          ending(at, original.end, what)
        }
        const firstEnd = file.lines[0]!.end
        if (target.name === before.name) same(0, file.lines[0]!, 'the name line')
        else ending(0, firstEnd, 'the name line')
        for (let y = 0; y < target.height; y++) {
          if (y >= before.height) {
            ending(1 + y, firstEnd, `new grid row ${y + 1}`)
            continue
          }
          let untouched = before.width === target.width
          for (let x = 0; untouched && x < target.width; x++) untouched = tile(before, x, y) === tile(target, x, y)
          if (untouched) same(1 + y, file.lines[1 + y]!, `grid row ${y + 1}`)
          else ending(1 + y, file.lines[1 + y]!.end, `grid row ${y + 1}`)
        }
        const names = new Map(target.observers.map((o) => [o.name, o]))
        const kept = before.observers.filter((o) => names.has(o.name))
        kept.forEach((o, i) => {
          const line = file.lines[1 + before.height + before.observers.indexOf(o)]!
          if (names.get(o.name)?.vision === o.vision) same(1 + target.height + i, line, `the legend line of "${o.name}"`)
          else ending(1 + target.height + i, line.end, `the legend line of "${o.name}"`)
          assert.equal(after.observers[i]?.name, o.name, 'kept observers keep their legend order')
          assert.equal(after.observers[i]?.symbol, o.symbol, 'kept observers keep their symbols')
        })
        for (let i = kept.length; i < target.observers.length; i++) ending(1 + target.height + i, firstEnd, 'a new legend line')
        const tail = file.lines.slice(1 + before.height + before.observers.length)
        tail.forEach((line, i) => same(out.length - tail.length + i, line, 'a trailing blank line'))
        assert.equal(out.length, 1 + target.height + target.observers.length + tail.length)

        // New observers get symbols the file never used.
        const used = new Set(before.observers.map((o) => o.symbol))
        for (const o of after.observers.slice(kept.length)) assert.ok(!used.has(o.symbol), `new observer "${o.name}" got the used symbol ${o.symbol}`)
      }),
      {numRuns: 400, endOnFailure: true},
    )
  })

  it('a target equal to what the file says gives back the file unchanged', () => {
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const file = styledFile(g)
        const map = read(file.text)
        assert.equal(textOf(editMap(file.text, map)), file.text)
        const shuffled = {...plain(map), observers: [...plain(map).observers].reverse(), obstacles: [...map.obstacles].reverse()}
        assert.equal(textOf(editMap(new TextEncoder().encode(file.text), shuffled)), file.text)
      }),
      {numRuns: 300, endOnFailure: true},
    )
  })

  it('a target the format cannot hold is refused with the problems writeMap reports', () => {
    const breaking = fc.constantFrom('same tile', 'on obstacle', 'outside', 'vision', 'name')
    fc.assert(
      fc.property(fc.gen(), breaking, (g, how) => {
        const file = styledFile(g)
        const target = editedTarget(g, read(file.text))
        const first = target.observers[0]
        if (how === 'same tile') target.observers.push({name: `${target.name}-twin`.slice(-MAX_NAME_LENGTH), x: first?.x ?? 0, y: first?.y ?? 0, vision: null})
        if (how === 'same tile' && !first) target.observers.push({name: 'Twin 2', x: 0, y: 0, vision: null})
        if (how === 'on obstacle') target.obstacles.push(...target.observers.slice(0, 1), {x: 0, y: 0})
        if (how === 'on obstacle') target.observers.push({name: 'On it', x: 0, y: 0, vision: null})
        if (how === 'outside') target.obstacles.push({x: target.width, y: 0})
        if (how === 'vision') target.observers.push({name: 'Blind', x: target.width, y: target.height, vision: -g(() => fc.double({min: 0.001, max: 1e9, noNaN: true}))})
        if (how === 'name') target.name = g(() => fc.constantFrom('', '  ', 'x'.repeat(MAX_NAME_LENGTH + 1), 'two\nlines'))
        const written = writeMap(target)
        assert.ok(!written.ok, 'the target is broken')
        assert.deepEqual(problemsOf(editMap(file.text, target)), written.problems)
      }),
      {numRuns: 200, endOnFailure: true},
    )
  })
})
