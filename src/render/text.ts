import type {ChalkInstance} from 'chalk'

import {uniquePositions} from '../model/positions.js'
import type {MapAction, MapPlan, Operation, Plan} from '../sync/plan-types.js'
import {refutedText} from '../sync/plan.js'
import {renderGridPicture} from './grid.js'
import {count, isAre, JOURNAL_NOTE, limitList, opSign, placement, signedCounts, sizeText} from './words.js'

export interface RenderPlanOptions {
  chalk: ChalkInstance
  /** Draw the grid picture of created and updated maps (default true). */
  picture?: boolean
  /** List every object change; otherwise at most LIST_LIMIT per map. */
  verbose?: boolean
}

const INDENT = '    '

const SIGN: Record<MapAction, string> = {create: '+', update: '~', delete: '-', unchanged: '=', invalid: '!', untracked: '?', conflict: '!'}

/**
 * The plan for people: one line per map with a sign (`+` create, `~` update, `-` delete,
 * `=` unchanged, `!` invalid file or conflict, `?` only on the server), its object changes and grid
 * picture below, notes, run-wide warnings, and a closing summary line.
 */
export function renderPlan(plan: Plan, opts: RenderPlanOptions): string {
  const {chalk} = opts
  const paintSign: Record<MapAction, (s: string) => string> = {
    create: chalk.green,
    update: chalk.yellow,
    delete: chalk.red,
    unchanged: chalk.dim,
    invalid: chalk.red,
    untracked: chalk.dim,
    conflict: chalk.red,
  }
  const opsByMap = new Map<string, Operation[]>()
  for (const op of plan.operations) {
    const list = opsByMap.get(op.map)
    if (list) list.push(op)
    else opsByMap.set(op.map, [op])
  }
  const blocks: string[] = []
  for (const mp of plan.maps) {
    const lines = [`${paintSign[mp.action](SIGN[mp.action])} ${chalk.bold(mp.name)}  ${mapSummary(mp)}`]
    if (mp.action === 'create' || mp.action === 'update') {
      lines.push(...changeLines(opsByMap.get(mp.name) ?? [], opts, mp.action === 'create').map((l) => INDENT + l))
      const picture = opts.picture === false ? '' : renderGridPicture(mp, chalk)
      if (picture) lines.push('', ...picture.split('\n').map((l) => INDENT + l))
    }

    if (mp.remoteSource === 'journal') lines.push(INDENT + chalk.yellow(JOURNAL_NOTE))
    for (const op of mp.refuted ?? []) lines.push(INDENT + chalk.red(refutedText(op)))
    lines.push(...mp.notes.map((n) => INDENT + n))
    blocks.push(lines.join('\n'))
  }

  if (plan.warnings.length > 0) blocks.push(plan.warnings.map((w) => `${chalk.yellow('Warning:')} ${w}`).join('\n'))
  blocks.push(closingLine(plan, chalk))
  return blocks.join('\n\n') + '\n'
}

/** The compact part of a map's line: size, observer and obstacle counts. */
function mapSummary(mp: MapPlan): string {
  const c = mp.changes
  switch (mp.action) {
    case 'create':
    case 'update': {
      const parts: string[] = []
      if (mp.action === 'create' && mp.local) parts.push(`new ${sizeText(mp.local)}`)
      if (mp.resize) parts.push(`size ${sizeText(mp.resize.from)} -> ${sizeText(mp.resize.to)}`)
      const observers = signedCounts([
        ['+', c.observers.create.length],
        ['~', c.observers.update.length],
        ['-', c.observers.delete.length],
      ])
      const obstacles = signedCounts([
        ['+', c.obstacles.create.length],
        ['-', c.obstacles.delete.length],
      ])
      if (observers) parts.push(`observers ${observers}`)
      if (obstacles) parts.push(`obstacles ${obstacles}`)
      return parts.join(', ')
    }

    case 'delete':
      return mp.remote
        ? `delete, with ${count(mp.remote.observers.length, 'observer')} and ${count(uniquePositions(mp.remote.obstacles).length, 'obstacle')}`
        : 'delete, with everything on it'
    case 'unchanged':
      return 'unchanged'
    case 'invalid':
      return `invalid file ${mp.file ?? ''}`.trimEnd()
    case 'untracked':
      return 'only on the server'
    case 'conflict':
      return 'conflict: changed on the server since gridsync last wrote it'
  }
}

/**
 * One line per object operation of a map, with its reason; on a new map, its obstacles
 * are one line with their number (the picture shows where they are, the JSON lists them).
 */
function changeLines(ops: Operation[], opts: RenderPlanOptions, newMap = false): string[] {
  const {chalk} = opts
  const paint = {'+': chalk.green, '~': chalk.yellow, '-': chalk.red}
  const objectOps = ops.filter((op) => op.kind !== 'createMap' && op.kind !== 'updateMap')
  const listed = newMap ? objectOps.filter((op) => op.kind !== 'createObstacle') : objectOps
  const lines = listed.map((op) => {
    const sign = opSign(op)
    const where = op.kind === 'createObserver' ? `: ${placement(op.observer)}` : ''
    return `${paint[sign](sign)} ${op.reason}${where}`
  })
  const obstacles = objectOps.length - listed.length
  if (obstacles > 0) lines.push(`${paint['+']('+')} ${count(obstacles, 'obstacle')}`)
  return limitList(lines, opts.verbose, 'changes', chalk.dim)
}

function closingLine(plan: Plan, chalk: ChalkInstance): string {
  const s = plan.summary
  const invalid = plan.maps.filter((mp) => mp.action === 'invalid').length
  const untracked = plan.maps.filter((mp) => mp.action === 'untracked').length
  const assumed = plan.maps.filter((mp) => mp.remoteSource === 'journal').length
  const changing = s.maps.create + s.maps.update + s.maps.delete

  if (changing === 0) {
    if (invalid === 0 && assumed === 0) {
      const kept = untracked > 0 ? `; ${count(untracked, 'map')} only on the server ${isAre(untracked)} kept` : ''
      return chalk.green(`No changes: the server matches the files${kept}.`)
    }

    const reasons: string[] = []
    if (invalid > 0) reasons.push(`${count(invalid, 'map file')} ${isAre(invalid)} invalid and left alone`)
    if (assumed > 0) reasons.push(`${count(assumed, 'map')} ${isAre(assumed)} assumed from recent writes, not yet confirmed by the server`)
    return chalk.yellow(`No changes planned; ${reasons.join('; ')}.`)
  }

  const maps = [`${count(s.maps.create, 'map')} to create`, `${s.maps.update} to update`, `${s.maps.delete} to delete`, `${s.maps.unchanged} unchanged`]
  if (invalid > 0) maps.push(`${invalid} invalid`)
  if (untracked > 0) maps.push(`${untracked} only on the server`)
  const observers = `observers +${s.observers.create} ~${s.observers.update} -${s.observers.delete}`
  const obstacles = `obstacles +${s.obstacles.create} -${s.obstacles.delete}`
  return chalk.bold(`Plan: ${maps.join(', ')}; ${observers}; ${obstacles}.`)
}
