import type {ChalkInstance} from 'chalk'

import {uniquePositions} from '../model/positions.js'
import type {MapAction, MapPlan, Operation, Plan} from '../sync/plan-types.js'
import {clock} from '../sync/clock.js'
import {refutedText} from '../sync/plan.js'
import type {MapVerification, Verdict} from '../sync/result-types.js'
import {standingVerdict} from '../sync/verify.js'
import {renderGridPicture} from './grid.js'
import {assumedNote, count, evidenceText, isAre, limitList, opSign, placement, signedCounts, sizeText} from './words.js'

export interface RenderPlanOptions {
  chalk: ChalkInstance
  /** Draw the grid picture of created and updated maps (default true). */
  picture?: boolean
  /** List every object change; otherwise at most LIST_LIMIT per map. */
  verbose?: boolean
}

const INDENT = '    '

const SIGN: Record<MapAction, string> = {create: '+', update: '~', delete: '-', rebuild: '*', rename: '>', unchanged: '=', invalid: '!', untracked: '?', conflict: '!'}

/**
 * The plan for people: one line per map with a sign (`+` create, `~` update, `-` delete,
 * `>` rename, `=` unchanged, `!` invalid file or conflict, `?` only on the server), its object changes and grid
 * picture below, notes, run-wide warnings, and a closing summary line.
 */
export function renderPlan(plan: Plan, opts: RenderPlanOptions): string {
  const {chalk} = opts
  const paintSign: Record<MapAction, (s: string) => string> = {
    create: chalk.green,
    update: chalk.yellow,
    delete: chalk.red,
    rebuild: chalk.red,
    rename: chalk.yellow,
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
    if (mp.action === 'create' || mp.action === 'update' || mp.action === 'rebuild' || mp.action === 'rename') {
      lines.push(...changeLines(opsByMap.get(mp.name) ?? [], opts, mp.action !== 'update' && mp.action !== 'rename').map((l) => INDENT + l))
      const picture = opts.picture === false ? '' : renderGridPicture(mp, chalk)
      if (picture) lines.push('', ...picture.split('\n').map((l) => INDENT + l))
    }

    if (mp.evidence?.kind === 'writes') lines.push(INDENT + chalk.yellow(assumedNote(mp.evidence)))
    // A map read at its URL that the listing does not show yet: say which answer is the cached one.
    else if (mp.evidence?.kind === 'read' && !mp.evidence.listed) lines.push(INDENT + chalk.dim(evidenceText(mp.evidence)))
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
    case 'rebuild':
      return `rebuild: deleted and created again, with ${count(c.observers.create.length, 'observer')} and ${count(c.obstacles.create.length, 'obstacle')}`
    case 'create':
    case 'update':
    case 'rename': {
      const parts: string[] = []
      if (mp.action === 'create' && mp.local) parts.push(`new ${sizeText(mp.local)}`)
      if (mp.action === 'rename') parts.push(`renamed from "${mp.renamedFrom}"`)
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
      return 'conflict: changed on the server by someone else since gridsync last knew it'
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
  const changing = s.maps.create + s.maps.update + s.maps.delete + s.maps.rebuild + s.maps.rename

  if (changing === 0) {
    const verdicts = plan.maps.flatMap((mp) => standingVerdict(mp) ?? [])
    const kept = untracked > 0 ? `; ${count(untracked, 'map')} only on the server ${isAre(untracked)} kept` : ''
    const open = notKnown(verdicts)
    if (invalid === 0 && open.length === 0) {
      if (verdicts.length === 0) return chalk.yellow(`No map files to compare with the server${kept}.`)
      const times = verdicts.flatMap((v) => (v.evidence?.kind === 'read' ? [v.evidence.at] : []))
      const when = times.length > 0 ? ` (read at ${clock(Math.min(...times))})` : ''
      return chalk.green(`No changes: the server matches the files${when}${kept}.`)
    }

    if (invalid > 0) open.unshift(`${count(invalid, 'map file')} ${isAre(invalid)} invalid and left alone`)
    return chalk.yellow(`Nothing to send, but the server is not known to match the files: ${open.join('; ')}.`)
  }

  const maps = [`${count(s.maps.create, 'map')} to create`, `${s.maps.update} to update`, `${s.maps.delete} to delete`]
  if (s.maps.rebuild > 0) maps.push(`${s.maps.rebuild} to rebuild`)
  if (s.maps.rename > 0) maps.push(`${s.maps.rename} to rename`)
  maps.push(`${s.maps.unchanged} unchanged`)
  if (invalid > 0) maps.push(`${invalid} invalid`)
  if (untracked > 0) maps.push(`${untracked} only on the server`)
  const observers = `observers +${s.observers.create} ~${s.observers.update} -${s.observers.delete}`
  const obstacles = `obstacles +${s.obstacles.create} -${s.obstacles.delete}`
  return chalk.bold(`Plan: ${maps.join(', ')}; ${observers}; ${obstacles}.`)
}

/** What keeps maps from being known to match their files, in words, one part per kind; empty when nothing does. */
export function notKnown(verdicts: readonly MapVerification[]): string[] {
  const parts: string[] = []
  const of = (verdict: Verdict): MapVerification[] => verdicts.filter((v) => v.verdict === verdict)
  const unconfirmed = of('unconfirmed')
  if (unconfirmed.length > 0) {
    const untils = unconfirmed.flatMap((v) => (v.evidence?.until === undefined ? [] : [v.evidence.until]))
    const until = untils.length > 0 ? ` until ${clock(Math.max(...untils))}` : ''
    parts.push(`${count(unconfirmed.length, 'map')} not confirmed${until} (${names(unconfirmed)})`)
  }

  const refuted = of('not-applied')
  if (refuted.length > 0) parts.push(`${count(refuted.length, 'map')} with deletes the server refuses (${names(refuted)}; push --rebuild)`)
  const conflicts = of('conflict')
  if (conflicts.length > 0) parts.push(`${count(conflicts.length, 'map')} in conflict (${names(conflicts)})`)
  const incomplete = of('incomplete')
  if (incomplete.length > 0) parts.push(`${count(incomplete.length, 'map')} incomplete (${names(incomplete)})`)
  return parts
}

function names(vs: readonly MapVerification[]): string {
  const shown = vs.slice(0, 3).map((v) => `"${v.name}"`)
  return vs.length > 3 ? `${shown.join(', ')} and ${vs.length - 3} more` : shown.join(', ')
}
