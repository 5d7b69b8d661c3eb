/**
 * What a pull shows: its warnings and one event per map, one line per map and a
 * summary in text, or one JSON document, the tallies of its last event, and the exit
 * code (the same whichever is shown).
 */

import type {ChalkInstance} from 'chalk'

import {ExitCode} from '../exit-codes.js'
import type {RunTotals} from '../log/index.js'
import type {PullEntry, PullResult, PullStatus} from '../pull/pull.js'
import {withExitCode} from '../render/document.js'
import {SCHEMA_VERSION} from '../schema-version.js'
import type {Presenter} from './presenter.js'
import type {RunLog} from './run-log.js'

export class PullPresenter implements Presenter {
  readonly exitCode: ExitCode

  constructor(
    private readonly result: PullResult,
    private readonly view: {server: string; mapsDir: string; chalk: ChalkInstance},
  ) {
    this.exitCode = pullExitCode(result)
  }

  logEvents(log: RunLog): void {
    for (const w of this.result.warnings) log.warning(w)
    for (const entry of this.result.maps) log.pullMap(entry)
  }

  report(): string[] {
    return [renderPull(this.result, this.view)]
  }

  totals(): RunTotals {
    return pullTotals(this.result)
  }

  document(): unknown {
    return withExitCode(pullDocument(this.result, this.view), this.exitCode)
  }
}

/** `2 written, 1 present, 0 skipped, 0 failed`, or on a dry run `dry run: 2 would be written, ...`. */
export function pullTotals(result: PullResult): RunTotals {
  const s = summarizePull(result.maps)
  const rest = `${s.present} present, ${s.skipped} skipped, ${s.failed} failed`
  return {
    counts: {written: s.written, wouldWrite: s.wouldWrite, present: s.present, skipped: s.skipped, failed: s.failed},
    summary: result.dryRun ? `dry run: ${s.wouldWrite} would be written, ${rest}` : `${s.written} written, ${rest}`,
  }
}

export interface PullSummary {
  written: number
  present: number
  skipped: number
  failed: number
  wouldWrite: number
}

export interface PullDocument {
  schemaVersion: typeof SCHEMA_VERSION
  server: string
  mapsDir: string
  dryRun: boolean
  maps: PullEntry[]
  summary: PullSummary
  backupDir?: string
  removedTempFiles: string[]
  warnings: string[]
}

export function summarizePull(maps: readonly PullEntry[]): PullSummary {
  const count = (status: PullStatus): number => maps.filter((m) => m.status === status).length
  return {
    written: count('written'),
    present: count('present'),
    skipped: count('skipped'),
    failed: count('failed'),
    wouldWrite: count('would-write'),
  }
}

/** 4 when a map was skipped (the format cannot express it) or failed, else 0. */
export function pullExitCode(result: PullResult): ExitCode {
  const s = summarizePull(result.maps)
  return s.skipped > 0 || s.failed > 0 ? ExitCode.OPERATIONS_FAILED : ExitCode.OK
}

export function pullDocument(result: PullResult, context: {server: string; mapsDir: string}): PullDocument {
  return {
    schemaVersion: SCHEMA_VERSION,
    server: context.server,
    mapsDir: context.mapsDir,
    dryRun: result.dryRun,
    maps: result.maps.map((m) => ({...m})),
    summary: summarizePull(result.maps),
    ...(result.backupDir === undefined ? {} : {backupDir: result.backupDir}),
    removedTempFiles: [...result.removedTempFiles],
    warnings: [...result.warnings],
  }
}

/** The human report: a line per map, then what was cleaned and backed up, then the summary. */
export function renderPull(result: PullResult, context: {mapsDir: string; chalk: ChalkInstance}): string {
  const {chalk} = context
  const lines = result.maps.map((m) => mapLine(m, chalk))
  if (result.removedTempFiles.length > 0) {
    const n = result.removedTempFiles.length
    lines.push(`Removed ${n} temporary ${n === 1 ? 'file' : 'files'} left by an interrupted pull.`)
  }
  if (result.backupDir !== undefined) lines.push(`The previous content of replaced files is in ${result.backupDir}/`)
  lines.push(summaryLine(result, context.mapsDir, chalk))
  return lines.join('\n')
}

function mapLine(m: PullEntry, chalk: ChalkInstance): string {
  const name = `"${escapeControls(m.name)}"`
  const note = m.reason === undefined ? '' : `: ${escapeControls(m.reason)}`
  switch (m.status) {
    case 'written':
      return `${chalk.green('+ written')} ${m.file} (${name})${m.backup === undefined ? '' : `; previous content kept in ${m.backup}`}`
    case 'would-write':
      return `${chalk.cyan('~ would write')} ${m.file} (${name})${note}`
    case 'present':
      return `${chalk.dim('= present')} ${m.file} (${name})${note}`
    case 'skipped':
      return `${chalk.yellow('! skipped')} ${name}${note}`
    case 'failed':
      return `${chalk.red('x failed')} ${name}${note}`
  }
}

function summaryLine(result: PullResult, mapsDir: string, chalk: ChalkInstance): string {
  if (result.maps.length === 0) return 'Nothing to pull: the server has no maps.'
  const s = summarizePull(result.maps)
  const counts = `${s.present} already present, ${s.skipped} skipped, ${s.failed} failed`
  const text = result.dryRun
    ? `Dry run, nothing written: ${s.wouldWrite} ${s.wouldWrite === 1 ? 'map' : 'maps'} would be written to ${mapsDir}, ${counts}.`
    : `${s.written} ${s.written === 1 ? 'map' : 'maps'} written to ${mapsDir}, ${counts}.`
  return s.skipped + s.failed > 0 ? chalk.yellow(text) : chalk.green(text)
}

/**
 * Text from the server as a terminal line may show it: control characters and
 * direction overrides escaped, so a name cannot move the cursor or reorder the line.
 */
function escapeControls(text: string): string {
  return text.replace(/[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
