import type {ChalkInstance} from 'chalk'

import {PositionSet} from '../model/positions.js'
import type {Position} from '../model/types.js'
import type {MapPlan} from '../sync/plan-types.js'
import {count, sizeText} from './words.js'

/**
 * The grid picture: the target map (the local file) with the plan's changes marked.
 *
 * Each mark is a plain character, so the picture reads the same with colour off; colour
 * only adds emphasis. A legend line under the picture names the marks it uses:
 * - `.` empty, `#` obstacle that stays,
 * - `+` obstacle added (green),
 * - `x` obstacle or observer removed (red), drawn where nothing else stands,
 * - `o` old place of a moved observer (yellow), where nothing else stands,
 * - `:` empty tile in the area a resize adds (dim),
 * - an observer's own symbol: green when new, yellow when moved or otherwise changed.
 * A mark character that the map uses as an observer symbol is replaced by the next free
 * one of its alternatives, and the legend says so by showing the one used.
 *
 * Maps wider than PICTURE_MAX_WIDTH are not drawn. Maps taller than PICTURE_MAX_HEIGHT
 * are drawn as their changed rows only, each with its row number, when there are at most
 * PICTURE_MAX_HEIGHT of them; otherwise not drawn.
 */
export const PICTURE_MAX_WIDTH = 120
export const PICTURE_MAX_HEIGHT = 60

type MarkKind = 'added' | 'removed' | 'oldPlace' | 'newArea'

const MARK_CHOICES: Record<MarkKind, readonly string[]> = {
  added: ['+', '*', '%'],
  removed: ['x', '!', '&'],
  oldPlace: ['o', '^', '='],
  newArea: [':', ';', '_'],
}

const MARK_MEANING: Record<MarkKind, string> = {
  added: 'added obstacle',
  removed: 'removed',
  oldPlace: 'old place of a moved observer',
  newArea: 'new area',
}

type Style = 'plain' | 'green' | 'yellow' | 'red' | 'dim'

interface Cell {
  text: string
  style: Style
  /** Shows a change (anything but an empty tile, a staying obstacle or an unchanged observer). */
  changed: boolean
}

/** The picture of a created or updated map; '' for a map without local content. */
export function renderGridPicture(mp: MapPlan, chalk: ChalkInstance): string {
  const target = mp.local
  if (!target) return ''
  const {width, height} = target
  if (width > PICTURE_MAX_WIDTH) return omitted(target)

  const symbols = new Set(target.observers.map((o) => o.symbol))
  const mark = chooseMarks(symbols)
  const used = new Set<string>()
  const grid: Cell[][] = Array.from({length: height}, () => Array.from({length: width}, () => ({text: '.', style: 'plain', changed: false})))
  let outside = 0
  const put = (p: Position, cell: Cell): boolean => {
    const row = grid[p.y]
    if (!row || p.x < 0 || p.x >= width) return false
    row[p.x] = cell
    return true
  }

  const putMark = (p: Position, kind: MarkKind, style: Style): void => {
    if (put(p, {text: mark[kind], style, changed: true})) used.add(kind)
    else outside++
  }

  const from = mp.resize?.from
  if (from) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) if (x >= from.width || y >= from.height) putMark({x, y}, 'newArea', 'dim')
    }
  }

  const c = mp.changes
  for (const u of c.observers.update) if (u.from.x !== u.to.x || u.from.y !== u.to.y) putMark(u.from, 'oldPlace', 'yellow')
  for (const p of [...c.obstacles.delete, ...c.observers.delete]) putMark(p, 'removed', 'red')

  const added = PositionSet.of(c.obstacles.create)
  let staying = false
  for (const p of target.obstacles) {
    if (added.has(p)) putMark(p, 'added', 'green')
    else staying = put(p, {text: '#', style: 'plain', changed: false}) || staying
  }

  const created = new Set(c.observers.create.map((o) => o.name))
  const updated = new Map(c.observers.update.map((u) => [u.to.name, u]))
  const newSymbols: string[] = []
  const movedSymbols: string[] = []
  const changedSymbols: string[] = []
  for (const o of target.observers) {
    const u = updated.get(o.name)
    if (created.has(o.name)) newSymbols.push(o.symbol)
    else if (u && (u.from.x !== o.x || u.from.y !== o.y)) movedSymbols.push(o.symbol)
    else if (u) changedSymbols.push(o.symbol)
    const style: Style = created.has(o.name) ? 'green' : u ? 'yellow' : 'plain'
    put(o, {text: o.symbol, style, changed: style !== 'plain'})
  }

  const rows = drawnRows(grid, height)
  if (!rows) return omitted(target)
  const numbered = rows.length < height
  const numberWidth = String(height - 1).length
  const lines: string[] = []
  if (numbered) lines.push(`(${count(rows.length, 'changed row')} of this ${sizeText(target)} map, with row numbers)`)
  let previous = -1
  for (const y of rows) {
    const text = paintRow(grid[y]!, chalk)
    if (numbered && previous >= 0 && y > previous + 1) lines.push(chalk.dim('...'))
    lines.push(numbered ? `${String(y).padStart(numberWidth)} ${text}` : text)
    previous = y
  }

  const legend: string[] = []
  if (staying) legend.push('# obstacle')
  for (const kind of ['added', 'removed', 'oldPlace', 'newArea'] as const) if (used.has(kind)) legend.push(`${mark[kind]} ${MARK_MEANING[kind]}`)
  if (newSymbols.length > 0) legend.push(`${newSymbols.join(' ')} new observer`)
  if (movedSymbols.length > 0) legend.push(`${movedSymbols.join(' ')} moved observer`)
  if (changedSymbols.length > 0) legend.push(`${changedSymbols.join(' ')} changed observer`)
  if (legend.length > 0) lines.push(chalk.dim(`legend: ${legend.join(', ')}`))
  if (outside > 0) lines.push(chalk.dim(`(${count(outside, 'removed object lies', 'removed objects lie')} outside the new size, not drawn)`))
  return lines.join('\n')
}

/** A row's cells as text, each run of one style coloured as a whole. */
function paintRow(cells: readonly Cell[], chalk: ChalkInstance): string {
  const out: string[] = []
  let run = ''
  let style: Style = 'plain'
  const flush = (): void => {
    if (run) out.push(style === 'plain' ? run : chalk[style](run))
  }

  for (const cell of cells) {
    if (cell.style !== style) {
      flush()
      run = ''
      style = cell.style
    }

    run += cell.text
  }

  flush()
  return out.join('')
}

/** Rows to draw: all of a map up to PICTURE_MAX_HEIGHT, else its changed rows if there are some and few enough. */
function drawnRows(grid: Cell[][], height: number): number[] | undefined {
  const all = Array.from({length: height}, (_, y) => y)
  if (height <= PICTURE_MAX_HEIGHT) return all
  const changed = all.filter((y) => grid[y]!.some((cell) => cell.changed))
  return changed.length > 0 && changed.length <= PICTURE_MAX_HEIGHT ? changed : undefined
}

function chooseMarks(symbols: ReadonlySet<string>): Record<MarkKind, string> {
  const pick = (kind: MarkKind): string => {
    const choices = MARK_CHOICES[kind]
    return choices.find((ch) => !symbols.has(ch)) ?? choices[0]!
  }

  return {added: pick('added'), removed: pick('removed'), oldPlace: pick('oldPlace'), newArea: pick('newArea')}
}

function omitted(size: {width: number; height: number}): string {
  return `(picture omitted: ${sizeText(size)} map; use --format patch)`
}
