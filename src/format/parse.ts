/**
 * Reading one map file into a LocalMap, or into every problem found in it.
 *
 * How a file is split up:
 * - Line 1 is the map name.
 * - The legend starts at the first later line that begins with `symbol,`: a comma
 *   after at most one character. Everything before it (from line 2) is the grid, and
 *   every line from it to the end must be a legend line. So a comma elsewhere in a
 *   grid row is reported as a comma in the grid, and a grid row below the legend as
 *   a row out of place.
 * - Blank lines (empty or only white space) at the end of the file are ignored; a
 *   blank line anywhere else is an error.
 * - CRLF line endings and a leading byte-order mark are accepted; so is a missing
 *   final newline.
 *
 * The input is read once, line by line and code point by code point, so the time
 * taken grows linearly with the size of the file.
 */

import {codePointLength, type LocalMap, type LocalObserver, type Position} from '../model/types.js'
import {byPosition, type Diagnostic} from './diagnostics.js'
import {nameProblem} from './names.js'
import {isSymbol, isWhiteSpace, showChar} from './symbols.js'

export type ParseResult = {ok: true; map: LocalMap} | {ok: false; /** The map name from line 1, when it could be read. */ name?: string; diagnostics: Diagnostic[]}

/** A parse result plus where each observer's legend line is, for checks across files. */
export interface ParsedFile {
  result: ParseResult
  /** For a valid file: the legend line number of each observer, in observer order. */
  observerLines: number[]
}

export function parseMap(bytes: Uint8Array | string, file: string): ParseResult {
  return parseMapFile(bytes, file).result
}

export function parseMapFile(bytes: Uint8Array | string, file: string): ParsedFile {
  const decoded = decode(bytes, file)
  if ('text' in decoded) return new FileParser(file).parse(decoded.text)
  return {result: {ok: false, ...decoded}, observerLines: []}
}

const DOT = 0x2e
const HASH = 0x23
const COMMA = 0x2c

interface Line {
  text: string
  /** 1-based line number in the file. */
  number: number
}

interface Spot extends Position {
  line: number
  column: number
  count: number
  second?: {line: number; column: number}
}

interface Grid {
  width: number
  height: number
  obstacles: Position[]
  symbols: Map<string, Spot>
}

interface LegendEntry {
  symbol: string
  name: string
  vision: number | null
  line: number
}

interface Legend {
  entries: LegendEntry[]
  /** Every well-formed symbol that has a legend line, even one with other faults. */
  symbolLines: Map<string, number>
}

class FileParser {
  private readonly diagnostics: Diagnostic[] = []

  constructor(private readonly file: string) {}

  parse(text: string): ParsedFile {
    const lines = splitLines(text)
    const first = lines[0]
    if (first === undefined) {
      this.report(1, 1, 'the file is empty: line 1 should be the map name, followed by the grid rows and the legend')
      return this.failed(undefined)
    }
    const name = isBlank(first) ? undefined : first
    if (name === undefined) this.report(1, 1, 'line 1 should be the map name but it is blank')
    else {
      // One byte-order mark is the file's; a second one would start the name, which no map can carry.
      const problem = name.startsWith('\uFEFF') ? 'starts with a second byte-order mark' : nameProblem(name)
      if (problem) this.report(1, 1, `the map name "${name}" ${problem}`)
    }

    const body: Line[] = []
    for (let i = 1; i < lines.length; i++) {
      const text = lines[i] ?? ''
      if (isBlank(text)) this.report(i + 1, 1, 'blank line: only the end of the file may have blank lines')
      else body.push({text, number: i + 1})
    }
    const legendAt = body.findIndex((line) => startsLegend(line.text))
    const rows = legendAt < 0 ? body : body.slice(0, legendAt)
    const grid = this.readGrid(rows)
    if (rows.length === 0) {
      this.report(2, 1, 'no grid: the lines after the map name should be grid rows ("." an empty tile, "#" an obstacle, a symbol for each observer)')
    }
    const legend = this.readLegend(legendAt < 0 ? [] : body.slice(legendAt), grid.width, rows.length > 0)
    this.matchSymbols(grid, legend)

    if (name === undefined || this.diagnostics.length > 0) return this.failed(name)
    const observers: LocalObserver[] = []
    for (const entry of legend.entries) {
      const spot = grid.symbols.get(entry.symbol)
      if (spot) observers.push({name: entry.name, x: spot.x, y: spot.y, vision: entry.vision, symbol: entry.symbol})
    }
    return {
      result: {
        ok: true,
        map: {file: this.file, name, width: grid.width, height: grid.height, observers, obstacles: grid.obstacles},
      },
      observerLines: legend.entries.map((entry) => entry.line),
    }
  }

  private report(line: number, column: number, message: string): void {
    this.diagnostics.push({file: this.file, line, column, message})
  }

  private failed(name: string | undefined): ParsedFile {
    const diagnostics = this.diagnostics.sort(byPosition)
    return {result: name === undefined ? {ok: false, diagnostics} : {ok: false, name, diagnostics}, observerLines: []}
  }

  private readGrid(rows: Line[]): Grid {
    // Sized from the start: a large map has hundreds of thousands, and a growing array leaves its old copies behind.
    const obstacles = new Array<Position>(countObstacles(rows))
    let placed = 0
    const symbols = new Map<string, Spot>()
    const widths: number[] = []
    for (let y = 0; y < rows.length; y++) {
      const {text, number} = rows[y] as Line
      let comma: Stray | undefined
      let space: Stray | undefined
      let x = 0
      for (let i = 0; i < text.length; x++) {
        const c = text.charCodeAt(i)
        if (c === DOT) {
          i++
          continue
        }
        if (c === HASH) {
          obstacles[placed++] = {x, y}
          i++
          continue
        }
        const ch = String.fromCodePoint(text.codePointAt(i) as number)
        i += ch.length
        if (c === COMMA) comma = noteStray(comma, ch, x + 1)
        else if (isWhiteSpace(ch)) space = noteStray(space, ch, x + 1)
        else {
          const spot = symbols.get(ch)
          if (!spot) symbols.set(ch, {x, y, line: number, column: x + 1, count: 1})
          else {
            spot.count++
            spot.second ??= {line: number, column: x + 1}
          }
        }
      }
      widths.push(x)
      this.reportStray(number, comma, () => '"," in the grid: grid rows hold only ".", "#" and observer symbols (legend lines start with "symbol,")')
      this.reportStray(number, space, (ch) => `${showChar(ch)} in the grid: use "." for an empty tile`)
    }
    const width = this.checkWidths(rows, widths)
    for (const [symbol, spot] of symbols) {
      if (spot.second) {
        this.report(
          spot.second.line,
          spot.second.column,
          `symbol ${showChar(symbol)} is on the grid ${spot.count} times (first at line ${spot.line}, column ${spot.column}); each observer stands on exactly one tile`,
        )
      }
    }
    return {width, height: rows.length, obstacles, symbols}
  }

  private reportStray(line: number, stray: Stray | undefined, message: (ch: string) => string): void {
    if (!stray) return
    const more = stray.count > 1 ? ` (${stray.count - 1} more on this line)` : ''
    this.report(line, stray.column, `${message(stray.ch)}${more}`)
  }

  /** Reports rows whose width differs from the most common one, which it returns. */
  private checkWidths(rows: Line[], widths: number[]): number {
    const counts = new Map<number, number>()
    for (const w of widths) counts.set(w, (counts.get(w) ?? 0) + 1)
    let width = widths[0] ?? 0
    let most = counts.get(width) ?? 0
    for (const [w, n] of counts) {
      if (n > most) [width, most] = [w, n]
    }
    const reference = most === 1 ? 'the width of row 1' : `the width of ${most} of the ${rows.length} rows`
    widths.forEach((w, y) => {
      if (w !== width) {
        this.report(
          (rows[y] as Line).number,
          Math.min(w, width) + 1,
          `row ${y + 1} of the grid is ${w} ${w === 1 ? 'character' : 'characters'} wide, expected ${width} (${reference}); every row must have the same width`,
        )
      }
    })
    return width
  }

  private readLegend(lines: Line[], gridWidth: number, hasGrid: boolean): Legend {
    const entries: LegendEntry[] = []
    const symbolLines = new Map<string, number>()
    const nameLines = new Map<string, number>()
    const start = lines[0]?.number
    for (const {text, number} of lines) {
      const comma = text.indexOf(',')
      if (comma < 0) {
        const message =
          hasGrid && looksLikeRow(text, gridWidth)
            ? `a grid row after the legend (which starts on line ${start}): grid rows must all come before the legend`
            : 'legend line without a comma: expected symbol,name,vision such as "a,Observer A,6" (the vision may be left out)'
        this.report(number, 1, message)
        continue
      }
      const symbol = text.slice(0, comma)
      const rest = text.slice(comma + 1)
      const lastComma = rest.lastIndexOf(',')
      const name = lastComma < 0 ? rest : rest.slice(0, lastComma)
      const nameColumn = codePointLength(symbol) + 2
      let fine = this.checkLegendSymbol(symbol, number, symbolLines)
      if (name === '') {
        this.report(number, nameColumn, 'the observer name is empty: expected symbol,name,vision such as "a,Observer A,6"')
        fine = false
      } else {
        const problem = nameProblem(name)
        const earlier = nameLines.get(name)
        if (problem) this.report(number, nameColumn, `observer name "${name}" ${problem}`)
        else if (earlier !== undefined) {
          this.report(number, nameColumn, `observer name "${name}" is already used on line ${earlier}; observer names must be unique`)
        } else nameLines.set(name, number)
        fine &&= !problem && earlier === undefined
      }
      const vision = readVision(lastComma < 0 ? undefined : rest.slice(lastComma + 1))
      if ('problem' in vision) {
        this.report(number, nameColumn + codePointLength(name) + 1, vision.problem)
        fine = false
      }
      if (fine && 'value' in vision) entries.push({symbol, name, vision: vision.value, line: number})
    }
    return {entries, symbolLines}
  }

  /** Checks the symbol of a legend line and records it; false when it is unusable or taken. */
  private checkLegendSymbol(symbol: string, line: number, symbolLines: Map<string, number>): boolean {
    let problem: string | undefined
    if (symbol === '') problem = 'the legend line has no symbol before the first comma: expected symbol,name,vision such as "a,Observer A,6"'
    else if (codePointLength(symbol) > 1) problem = `legend symbol "${symbol}" must be a single character`
    else if (symbol === '.') problem = '"." cannot be an observer\'s symbol: it marks an empty tile'
    else if (symbol === '#') problem = '"#" cannot be an observer\'s symbol: it marks an obstacle'
    else if (!isSymbol(symbol)) problem = `an observer's symbol cannot be ${showChar(symbol)}`
    if (problem) {
      this.report(line, 1, problem)
      return false
    }
    const earlier = symbolLines.get(symbol)
    if (earlier !== undefined) {
      this.report(line, 1, `symbol ${showChar(symbol)} already has a legend line on line ${earlier}; each symbol has exactly one`)
      return false
    }
    symbolLines.set(symbol, line)
    return true
  }

  /** Every symbol on the grid needs a legend line and every legend symbol a tile. */
  private matchSymbols(grid: Grid, legend: Legend): void {
    for (const [symbol, spot] of grid.symbols) {
      if (!legend.symbolLines.has(symbol)) {
        this.report(spot.line, spot.column, `symbol ${showChar(symbol)} on the grid has no legend line (add one such as "${symbol},Observer name,6" after the grid)`)
      }
    }
    if (grid.height === 0) return
    for (const [symbol, line] of legend.symbolLines) {
      if (!grid.symbols.has(symbol)) this.report(line, 1, `symbol ${showChar(symbol)} has a legend line but is not on the grid`)
    }
  }
}

/** The first stray character of one kind on a grid row, and how many there are. */
interface Stray {
  ch: string
  column: number
  count: number
}

function noteStray(stray: Stray | undefined, ch: string, column: number): Stray {
  if (!stray) return {ch, column, count: 1}
  stray.count++
  return stray
}

/** The "#" characters of the grid rows: one obstacle each. */
function countObstacles(rows: Line[]): number {
  let n = 0
  for (const {text} of rows) for (let i = text.indexOf('#'); i >= 0; i = text.indexOf('#', i + 1)) n++
  return n
}

function splitLines(text: string): string[] {
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string
    if (line.endsWith('\r')) lines[i] = line.slice(0, -1)
  }
  while (lines.length > 0 && isBlank(lines[lines.length - 1] as string)) lines.pop()
  return lines
}

function isBlank(line: string): boolean {
  return line.trim() === ''
}

/** A legend line begins with at most one character and then a comma. */
function startsLegend(text: string): boolean {
  const comma = text.indexOf(',')
  return comma >= 0 && comma <= 2 && codePointLength(text.slice(0, comma)) <= 1
}

function looksLikeRow(text: string, gridWidth: number): boolean {
  return !/\s/u.test(text) && (codePointLength(text) === gridWidth || /^[.#]+$/.test(text))
}

const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/

/** Vision: absent or empty is no limit; otherwise a non-negative decimal number. */
function readVision(text: string | undefined): {value: number | null} | {problem: string} {
  const trimmed = text?.trim() ?? ''
  if (trimmed === '') return {value: null}
  if (DECIMAL.test(trimmed)) {
    const value = Number(trimmed)
    return Number.isFinite(value) ? {value} : {problem: `vision ${trimmed} is too large`}
  }
  if (trimmed.startsWith('-') && DECIMAL.test(trimmed.slice(1))) {
    return {problem: `vision ${trimmed} is negative: it must be 0 or more, or left empty for no limit`}
  }
  const hint = /\p{L}/u.test(trimmed) ? ' (a name that contains "," must be followed by ",vision", or by a final "," for no limit)' : ''
  return {problem: `vision "${text}" is not a number: write one such as 6 or 2.5, or leave it empty for no limit${hint}`}
}

type Decoded = {text: string} | {name?: string; diagnostics: Diagnostic[]}

function decode(bytes: Uint8Array | string, file: string): Decoded {
  if (typeof bytes === 'string') return {text: bytes.startsWith('\uFEFF') ? bytes.slice(1) : bytes}
  try {
    return {text: new TextDecoder('utf-8', {fatal: true}).decode(bytes)}
  } catch {
    return notUtf8(bytes, file)
  }
}

/** Points at the first byte that is not valid UTF-8, and keeps line 1 when it came before it. */
function notUtf8(bytes: Uint8Array, file: string): Decoded {
  const offset = firstInvalidUtf8(bytes)
  const before = new TextDecoder('utf-8').decode(bytes.subarray(0, offset))
  const lines = before.split('\n')
  const current = lines[lines.length - 1] as string
  const byte = (bytes[offset] ?? 0).toString(16).toUpperCase().padStart(2, '0')
  const diagnostic: Diagnostic = {
    file,
    line: lines.length,
    column: codePointLength(current) + 1,
    message: `the file is not UTF-8 text: byte 0x${byte} here is not valid UTF-8 (save the file as UTF-8)`,
  }
  const first = lines.length > 1 ? (lines[0] as string).replace(/\r$/, '') : ''
  return isBlank(first) ? {diagnostics: [diagnostic]} : {name: first, diagnostics: [diagnostic]}
}

/** Offset of the first byte that starts an invalid or incomplete UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i] as number
    if (b < 0x80) {
      i++
      continue
    }
    let need: number
    let low = 0x80
    let high = 0xbf
    if (b >= 0xc2 && b <= 0xdf) need = 1
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2
      if (b === 0xe0) low = 0xa0
      if (b === 0xed) high = 0x9f
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3
      if (b === 0xf0) low = 0x90
      if (b === 0xf4) high = 0x8f
    } else return i
    for (let k = 1; k <= need; k++) {
      const next = bytes[i + k]
      if (next === undefined || next < (k === 1 ? low : 0x80) || next > (k === 1 ? high : 0xbf)) return i
    }
    i += need + 1
  }
  return i
}
