/**
 * Changing an existing map file so that it says what another map says, touching only
 * what differs: the writer for bringing the server's changes into a person's own file.
 *
 * How it works:
 * - The file is read with the parser (it must be a valid map) and split into lines
 *   the way the parser splits them, each line kept together with its own ending (LF,
 *   CRLF, or none for a last line without a final newline). A byte-order mark is
 *   set aside and put back in front.
 * - The target is checked with the same checks writeMap makes (mapProblems), and
 *   refused with the same words when the format cannot hold it.
 * - Every other line of the file is kept as the same string with the same ending; a
 *   line is only rebuilt when something on it changes:
 *   - line 1 when the map name changes;
 *   - a grid row when one of its tiles changes ("." empty, "#" obstacle, or an
 *     observer's symbol: an observer that moves takes its symbol along), or when the
 *     width changes ("." tiles added at the right, or tiles cut off);
 *   - a legend line when its observer's vision changes (only the vision field is
 *     rewritten) or the observer is gone (the line is dropped).
 *   Rows of "." are added at the bottom or cut off when the height changes; a new
 *   observer's legend line comes after the last legend line, before any trailing
 *   blank lines, with a symbol the file does not use yet (in the order writeMap hands
 *   them out; a removed observer's symbol only once every other one is taken).
 * - A vision is written as writeMap writes it. "No limit" is `symbol,name`, or
 *   `symbol,name,` when the name has a comma or when most of the file's no-limit
 *   lines are written that way.
 * - Observers are matched by name. The legend keeps the file's order, whatever the
 *   target's observer order; new observers follow in the target's order.
 * - New lines take the ending of the file's first line. A file without a final
 *   newline still has none after the edit.
 *
 * So when the target is what the file already says, the text comes back unchanged.
 */

import {PositionSet} from '../model/positions.js'
import type {GridMap, LocalMap, Observer, Position} from '../model/types.js'
import {parseMapFile} from './parse.js'
import {assignSymbols, legendLine, mapProblems, plainDecimal} from './write.js'

export type EditResult = {ok: true; text: string} | {ok: false; problems: string[]}

/** One line of the file: its text without the line break, and the line break itself. */
interface Line {
  text: string
  /** "\n", "\r\n", or for the last line "" (no final newline) or "\r". */
  end: string
}

const BOM = '\uFEFF'

/**
 * The file `text` (a valid map file, as a string or as UTF-8 bytes, with or without a
 * byte-order mark) changed so that it parses as `target`, touching only what differs.
 */
export function editMap(text: string | Uint8Array, target: GridMap): EditResult {
  const full = typeof text === 'string' ? text : decode(text)
  if (full === undefined) return notAMap(text)
  const parsed = parseMapFile(full, 'map')
  if (!parsed.result.ok) return notAMap(full)
  const file = parsed.result.map

  const problems = mapProblems(target)
  const fileSymbols = new Set(file.observers.map((o) => o.symbol))
  const keptSymbols = new Map(file.observers.map((o) => [o.name, o.symbol]))
  const symbols = assignSymbols(target.observers, keptSymbols, fileSymbols)
  if (!symbols.ok) problems.push(symbols.problem)
  if (problems.length > 0 || !symbols.ok) return {ok: false, problems}

  const bom = full.startsWith(BOM) ? BOM : ''
  const lines = splitLines(full.slice(bom.length))
  const newline = (lines[0] as Line).end || '\n'
  const legendStart = 1 + file.height
  const tailStart = legendStart + file.observers.length

  const out: Line[] = [target.name === file.name ? (lines[0] as Line) : {...(lines[0] as Line), text: target.name}]
  out.push(...editGrid(lines.slice(1, legendStart), file, target, symbols.byName, newline))
  out.push(...editLegend(lines.slice(legendStart, tailStart), file, target, symbols.byName, newline))
  out.push(...lines.slice(tailStart))
  keepFinalEnding(out, lines[lines.length - 1] as Line, newline)
  return {ok: true, text: bom + out.map((line) => line.text + line.end).join('')}
}

/** Refuses a text that is not a valid map, with the parser's findings. */
function notAMap(text: string | Uint8Array): EditResult {
  const parsed = parseMapFile(text, 'map').result
  const problems = parsed.ok ? [] : parsed.diagnostics.map((d) => `the file is not a valid map: line ${d.line}, column ${d.column}: ${d.message}`)
  return {ok: false, problems}
}

/** UTF-8 bytes as text, a byte-order mark kept; undefined when they are not UTF-8. */
function decode(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', {fatal: true, ignoreBOM: true}).decode(bytes)
  } catch {
    return undefined
  }
}

/** Lines as the parser sees them (split at "\n", a "\r" before it is part of the break), with their breaks. */
function splitLines(text: string): Line[] {
  const pieces = text.split('\n')
  const last = pieces.pop() as string
  const lines = pieces.map((piece) => (piece.endsWith('\r') ? {text: piece.slice(0, -1), end: '\r\n'} : {text: piece, end: '\n'}))
  if (last !== '') lines.push(last.endsWith('\r') ? {text: last.slice(0, -1), end: '\r'} : {text: last, end: ''})
  return lines
}

/**
 * When the file had no final newline, the last line after the edit has none either,
 * and a line that had none but is no longer last (or a rebuilt copy of it) gets one.
 */
function keepFinalEnding(out: Line[], originalLast: Line, newline: string): void {
  if (originalLast.end === '\n' || originalLast.end === '\r\n') return
  const last = out.length - 1
  out.forEach((line, i) => {
    if (i < last && line.end !== '\n' && line.end !== '\r\n') out[i] = {...line, end: newline}
  })
  const final = out[last] as Line
  if (final.end !== originalLast.end) out[last] = {...final, end: originalLast.end}
}

function editGrid(rows: Line[], file: LocalMap, target: GridMap, symbols: ReadonlyMap<string, string>, newline: string): Line[] {
  const changes = tileChanges(file, target, symbols)
  const out: Line[] = []
  for (let y = 0; y < target.height; y++) {
    const row = rows[y]
    const change = changes.get(y)
    if (row && !change && target.width === file.width) {
      out.push(row)
      continue
    }
    const cells = row ? Array.from(row.text).slice(0, target.width) : []
    while (cells.length < target.width) cells.push('.')
    for (const [x, ch] of change ?? []) cells[x] = ch
    out.push({text: cells.join(''), end: row ? row.end : newline})
  }
  return out
}

/** Row -> (column -> character) for every tile inside the target whose character differs from the file's. */
function tileChanges(file: LocalMap, target: GridMap, symbols: ReadonlyMap<string, string>): Map<number, Map<number, string>> {
  const stride = Math.max(file.width, target.width)
  const index = (p: Position): number => p.y * stride + p.x
  const fileSymbols = new Map(file.observers.map((o) => [index(o), o.symbol]))
  const targetSymbols = new Map(target.observers.map((o) => [index(o), symbols.get(o.name) as string]))
  const fileObstacles = PositionSet.of(file.obstacles)
  const targetObstacles = PositionSet.of(target.obstacles)
  const changes = new Map<number, Map<number, string>>()
  const visit = (p: Position): void => {
    if (p.x >= target.width || p.y >= target.height) return
    const had = fileSymbols.get(index(p)) ?? (fileObstacles.has(p) ? '#' : '.')
    const wants = targetSymbols.get(index(p)) ?? (targetObstacles.has(p) ? '#' : '.')
    if (had === wants) return
    const row = changes.get(p.y)
    if (row) row.set(p.x, wants)
    else changes.set(p.y, new Map([[p.x, wants]]))
  }
  for (const list of [file.observers, file.obstacles, target.observers, target.obstacles]) list.forEach(visit)
  return changes
}

function editLegend(legend: Line[], file: LocalMap, target: GridMap, symbols: ReadonlyMap<string, string>, newline: string): Line[] {
  const wanted = new Map(target.observers.map((o) => [o.name, o]))
  const trailingComma = prefersTrailingComma(legend, file)
  const out: Line[] = []
  file.observers.forEach((observer, i) => {
    const line = legend[i] as Line
    const next = wanted.get(observer.name)
    if (!next) return
    out.push(next.vision === observer.vision ? line : {...line, text: withVision(line.text, observer.name, next.vision, trailingComma)})
  })
  const known = new Set(file.observers.map((o) => o.name))
  for (const observer of target.observers) {
    if (!known.has(observer.name)) out.push({text: newLegendLine(observer, symbols.get(observer.name) as string, trailingComma), end: newline})
  }
  return out
}

/**
 * Whether the file writes "no vision limit" as `symbol,name,` rather than `symbol,name`
 * (for names without a comma, where it has the choice): when more of its lines do so.
 */
function prefersTrailingComma(legend: Line[], file: LocalMap): boolean {
  let withComma = 0
  let without = 0
  file.observers.forEach((observer, i) => {
    if (observer.vision !== null || observer.name.includes(',')) return
    if (visionField((legend[i] as Line).text) === undefined) without++
    else withComma++
  })
  return withComma > without
}

function newLegendLine(observer: Observer, symbol: string, trailingComma: boolean): string {
  const line = legendLine(observer, symbol)
  return observer.vision === null && trailingComma && !observer.name.includes(',') ? `${line},` : line
}

/** Where the vision field of a legend line starts (after the last comma past the symbol's), if it has one. */
function visionField(line: string): number | undefined {
  const comma = line.indexOf(',')
  const last = line.lastIndexOf(',')
  return last > comma ? last + 1 : undefined
}

/** The legend line with only its vision changed; white space around a number stays. */
function withVision(line: string, name: string, vision: number | null, trailingComma: boolean): string {
  const start = visionField(line)
  if (vision === null) {
    if (start === undefined) return line
    return name.includes(',') || trailingComma ? line.slice(0, start) : line.slice(0, start - 1)
  }
  const value = plainDecimal(vision)
  if (start === undefined) return `${line},${value}`
  const field = line.slice(start)
  if (field.trim() === '') return line.slice(0, start) + value
  const before = field.length - field.trimStart().length
  const after = field.length - field.trimEnd().length
  return line.slice(0, start) + field.slice(0, before) + value + field.slice(field.length - after)
}
