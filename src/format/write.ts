/**
 * Writing a map in the one canonical form: LF line endings and a final newline, the
 * name, the grid, then one legend line per observer in the map's observer order.
 * A map the format cannot hold is refused with the reasons, never written
 * approximately: parseMap(writeMap(map).text) always gives back the same map.
 */

import {PositionSet, uniquePositions} from '../model/positions.js'
import {type GridMap, type Observer, type Position, positionKey} from '../model/types.js'
import {nameProblem} from './names.js'
import {isSymbol, symbolSequence} from './symbols.js'
import {joinWords} from './words.js'

export type WriteResult = {ok: true; text: string; /** Observer name -> the symbol it got. */ symbols: Map<string, string>} | {ok: false; problems: string[]}

export interface WriteOptions {
  /**
   * Observer name -> preferred symbol (say, the one the local file uses), honoured
   * when the grid can hold it and no earlier observer took it.
   */
  symbols?: ReadonlyMap<string, string>
}

/** How many positions a problem lists before summing up the rest. */
const LISTED = 10

export function writeMap(map: GridMap, opts: WriteOptions = {}): WriteResult {
  const problems = mapProblems(map)
  const symbols = assignSymbols(map.observers, opts.symbols ?? new Map())
  if (!symbols.ok) problems.push(symbols.problem)
  if (problems.length > 0 || !symbols.ok) return {ok: false, problems}
  return {ok: true, text: render(map, symbols.byName), symbols: symbols.byName}
}

/**
 * Why the format cannot hold the map, apart from running out of symbols: bad names or
 * visions, a side that is no whole number from 1 on, anything outside the bounds, two
 * observers on one tile, an observer on an obstacle. Empty when it can.
 */
export function mapProblems(map: GridMap): string[] {
  const problems = [...nameProblems(map), ...sizeProblems(map)]
  if (problems.length === 0) problems.push(...placementProblems(map))
  return problems
}

function nameProblems(map: GridMap): string[] {
  const problems: string[] = []
  const mapProblem = map.name.startsWith('\uFEFF') ? 'starts with a byte-order mark' : nameProblem(map.name)
  if (mapProblem) problems.push(`the map name "${map.name}" ${mapProblem}`)
  const seen = new Set<string>()
  for (const observer of map.observers) {
    const problem = nameProblem(observer.name)
    if (problem) problems.push(`observer name "${observer.name}" ${problem}`)
    else if (seen.has(observer.name)) problems.push(`two observers are named "${observer.name}"`)
    seen.add(observer.name)
    const vision = observer.vision
    if (vision !== null && !(Number.isFinite(vision) && vision >= 0)) {
      problems.push(`observer "${observer.name}" has vision ${vision}; it must be a non-negative number`)
    }
  }
  return problems
}

function sizeProblems(map: GridMap): string[] {
  return (['width', 'height'] as const).flatMap((side) => {
    const value = map[side]
    return Number.isInteger(value) && value >= 1 ? [] : [`the map's ${side} is ${value}; a map needs a whole number of at least 1 for each side to be written as a grid`]
  })
}

function placementProblems(map: GridMap): string[] {
  const problems: string[] = []
  const size = `${map.width}x${map.height}`
  const inside = (p: Position): boolean => Number.isInteger(p.x) && Number.isInteger(p.y) && p.x >= 0 && p.y >= 0 && p.x < map.width && p.y < map.height

  const outsideObstacles = map.obstacles.filter((p) => !inside(p))
  if (outsideObstacles.length > 0) {
    const many = outsideObstacles.length > 1
    problems.push(`${many ? `${outsideObstacles.length} obstacles are` : 'an obstacle is'} outside the ${size} map: ${listPositions(outsideObstacles)}`)
  }
  const obstacles = PositionSet.of(map.obstacles)
  const byTile = new Map<string, Observer[]>()
  for (const observer of map.observers) {
    if (!inside(observer)) {
      problems.push(`observer "${observer.name}" at ${showPosition(observer)} is outside the ${size} map`)
      continue
    }
    const key = positionKey(observer)
    if (obstacles.has(observer)) problems.push(`observer "${observer.name}" stands on an obstacle at ${showPosition(observer)}`)
    const sharing = byTile.get(key)
    if (sharing) sharing.push(observer)
    else byTile.set(key, [observer])
  }
  for (const sharing of byTile.values()) {
    if (sharing.length > 1) {
      const names = joinWords(sharing.map((o) => `"${o.name}"`))
      problems.push(`observers ${names} stand on the same tile ${showPosition(sharing[0] as Observer)}`)
    }
  }
  return problems
}

function showPosition(p: Position): string {
  return `(${p.x},${p.y})`
}

function listPositions(positions: Position[]): string {
  const shown = positions.slice(0, LISTED).map(showPosition).join(', ')
  return positions.length > LISTED ? `${shown} and ${positions.length - LISTED} more` : shown
}

export type Assignment = {ok: true; byName: Map<string, string>} | {ok: false; problem: string}

/**
 * Preferred symbols first (in observer order), then the fixed sequence for the rest.
 * Symbols in `last` are handed out only once every other one in the sequence is taken.
 */
export function assignSymbols(observers: readonly Observer[], preferred: ReadonlyMap<string, string>, last: ReadonlySet<string> = new Set()): Assignment {
  const byName = new Map<string, string>()
  const taken = new Set<string>()
  for (const {name} of observers) {
    const wish = preferred.get(name)
    if (wish !== undefined && isSymbol(wish) && !taken.has(wish) && !byName.has(name)) {
      byName.set(name, wish)
      taken.add(wish)
    }
  }
  const fixed = symbolSequence()
  const sequence = last.size === 0 ? fixed : [...fixed.filter((ch) => !last.has(ch)), ...fixed.filter((ch) => last.has(ch))]
  let next = 0
  for (const {name} of observers) {
    if (byName.has(name)) continue
    while (next < sequence.length && taken.has(sequence[next] as string)) next++
    const symbol = sequence[next]
    if (symbol === undefined) {
      // Preferred symbols outside the sequence add to what the grid can hold.
      const inSequence = new Set(fixed)
      const available = sequence.length + [...taken].filter((ch) => !inSequence.has(ch)).length
      return {
        ok: false,
        problem: `the map has ${observers.length} observers but only ${available} symbols are available for the grid`,
      }
    }
    byName.set(name, symbol)
    taken.add(symbol)
  }
  return {ok: true, byName}
}

function render(map: GridMap, symbols: ReadonlyMap<string, string>): string {
  const marks = new Map<number, Array<{x: number; ch: string}>>()
  const mark = (p: Position, ch: string): void => {
    const row = marks.get(p.y)
    if (row) row.push({x: p.x, ch})
    else marks.set(p.y, [{x: p.x, ch}])
  }
  for (const obstacle of uniquePositions(map.obstacles)) mark(obstacle, '#')
  for (const observer of map.observers) mark(observer, symbols.get(observer.name) as string)

  const empty = '.'.repeat(map.width)
  const lines = [map.name]
  for (let y = 0; y < map.height; y++) {
    const row = marks.get(y)
    if (!row) {
      lines.push(empty)
      continue
    }
    row.sort((a, b) => a.x - b.x)
    const parts: string[] = []
    let x = 0
    for (const cell of row) {
      parts.push(empty.slice(0, cell.x - x), cell.ch)
      x = cell.x + 1
    }
    parts.push(empty.slice(0, map.width - x))
    lines.push(parts.join(''))
  }
  for (const observer of map.observers) lines.push(legendLine(observer, symbols.get(observer.name) as string))
  return `${lines.join('\n')}\n`
}

/** `symbol,name,vision`; without a vision just `symbol,name`, unless the name has a comma. */
export function legendLine(observer: Observer, symbol: string): string {
  if (observer.vision !== null) return `${symbol},${observer.name},${plainDecimal(observer.vision)}`
  return observer.name.includes(',') ? `${symbol},${observer.name},` : `${symbol},${observer.name}`
}

/** A non-negative number in plain decimal notation (no exponent), exact for parsing back. */
export function plainDecimal(n: number): string {
  const text = String(n)
  const match = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text)
  if (!match) return text
  const digits = `${match[1]}${match[2] ?? ''}`
  const point = 1 + Number(match[3])
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`
  if (point >= digits.length) return `${digits}${'0'.repeat(point - digits.length)}`
  return `${digits.slice(0, point)}.${digits.slice(point)}`
}
