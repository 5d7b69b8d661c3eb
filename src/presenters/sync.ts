/**
 * What a sync shows: its plan both ways, map by map and object by object (`→ server`,
 * `← file`, `! conflict`), then, unless a dry run, what was sent (as a push shows it),
 * the files written and the verdicts; the `sync --json` document; the tallies and the
 * exit code (computed once, by the sync: see sync/two-way.ts).
 */

import type {ChalkInstance} from 'chalk'

import type {ExitCode} from '../exit-codes.js'
import type {RunTotals} from '../log/index.js'
import {withExitCode} from '../render/document.js'
import {pushDocument, renderApply, renderVerification, SCHEMA_VERSION} from '../render/index.js'
import {assumedNote, count} from '../render/words.js'
import type {Evidence} from '../sync/knowledge.js'
import type {ObjectState} from '../sync/merge.js'
import type {FileChange, SyncMapPlan, SyncOutcome, SyncPlan} from '../sync/two-way.js'
import type {Presenter} from './presenter.js'
import type {RunLog} from './run-log.js'

export interface SyncView {
  chalk: ChalkInstance
  verbose: boolean
  dryRun: boolean
}

const SIGN: Record<SyncMapPlan['action'], string> = {
  'in-sync': '=',
  merge: '~',
  'create-on-server': '+',
  'create-file': '+',
  'delete-on-server': '-',
  'delete-file': '-',
  conflict: '!',
  invalid: '!',
  unknown: '?',
}

export class SyncPresenter implements Presenter {
  constructor(
    private readonly plan: SyncPlan,
    private readonly outcome: SyncOutcome | undefined,
    readonly exitCode: ExitCode,
    private readonly view: SyncView,
  ) {}

  logEvents(log: RunLog): void {
    log.plan(this.plan.serverPlan)
    for (const w of this.plan.warnings) log.warning(w, {shownInReport: true})
    if (this.outcome?.push) log.verification(this.outcome.push.verification)
  }

  report(): string[] {
    const {chalk} = this.view
    const blocks = this.plan.maps.map((mp) => mapBlock(mp, chalk, this.plan.knowledge.maps.get(mp.name)?.evidence))
    if (this.plan.warnings.length > 0) blocks.push(this.plan.warnings.map((w) => `${chalk.yellow('Warning:')} ${w}`).join('\n'))
    const push = this.outcome?.push
    if (push && this.plan.serverPlan.operations.length > 0) blocks.push(renderApply(push.apply, chalk, {verbose: this.view.verbose}))
    const files = this.outcome?.files ?? []
    if (files.length > 0) blocks.push(files.map((f) => fileLine(f)).join('\n'))
    if (push) blocks.push(renderVerification(push.verification, chalk, {verbose: this.view.verbose}))
    return blocks
  }

  totals(): RunTotals {
    const t = tally(this.plan)
    const files = this.outcome?.files ?? []
    const parts = [`${count(t.toServer, 'change')} to the server, ${t.toFile} to files, ${count(t.conflicts, 'conflict')}`]
    if (this.view.dryRun) parts.push('dry run: nothing written')
    else parts.push(`${count(files.filter((f) => f.status === 'written' || f.status === 'created' || f.status === 'moved').length, 'file')} written`)
    return {counts: {...t, filesWritten: files.filter((f) => f.status !== 'failed' && f.status !== 'skipped').length}, summary: parts.join('; ')}
  }

  document(): unknown {
    const push = this.outcome?.push
    const served = push ? pushDocument(this.plan.serverPlan, push.apply, push.verification) : undefined
    return withExitCode(
      {
        schemaVersion: SCHEMA_VERSION,
        server: this.plan.server,
        dryRun: this.view.dryRun,
        summary: tally(this.plan),
        maps: this.plan.maps.map((mp) => ({
          name: mp.name,
          action: mp.action,
          ...(mp.file === undefined ? {} : {file: mp.file}),
          ...(mp.renamedFrom === undefined ? {} : {renamedFrom: mp.renamedFrom, renamedOn: mp.renamedOn ?? 'file'}),
          toServer: mp.toServer.map(stateData),
          toFile: mp.toFile.map(stateData),
          conflicts: mp.conflicts.map(stateData),
          held: (mp.held ?? []).map(stateData),
          notes: [...mp.notes],
        })),
        files: (this.outcome?.files ?? []).map((f) => ({
          name: f.name,
          file: f.file,
          status: f.status,
          ...(f.backup === undefined ? {} : {backup: f.backup}),
          ...(f.reason === undefined ? {} : {reason: f.reason}),
        })),
        operations: served?.operations ?? [],
        ...(served ? {apply: served.apply, verification: served.verification} : {}),
        warnings: [...this.plan.warnings],
      },
      this.exitCode,
    )
  }
}

function tally(plan: SyncPlan): {toServer: number; toFile: number; conflicts: number} {
  let toServer = 0
  let toFile = 0
  let conflicts = 0
  for (const mp of plan.maps) {
    toServer += mp.toServer.length + (mp.action === 'create-on-server' || mp.action === 'delete-on-server' || mp.renamedOn === 'file' ? 1 : 0)
    toFile += mp.toFile.length + (mp.action === 'create-file' || mp.action === 'delete-file' || mp.renamedOn === 'server' ? 1 : 0)
    conflicts += mp.conflicts.length
  }

  return {toServer, toFile, conflicts}
}

function stateData(s: ObjectState): {key: string; what: string; base: string | null; file: string | null; server: string | null} {
  return {key: s.key, what: s.what, base: s.base, file: s.file, server: s.server}
}

function mapBlock(mp: SyncMapPlan, chalk: ChalkInstance, evidence: Evidence | undefined): string {
  const paint = mp.action === 'conflict' || mp.action === 'invalid' ? chalk.red : mp.action === 'in-sync' ? chalk.dim : chalk.yellow
  const lines = [`${paint(SIGN[mp.action])} ${chalk.bold(mp.name)}  ${mp.action}${mp.file ? `  (${mp.file})` : ''}`]
  const value = (v: string | null) => v ?? 'absent'
  if (mp.renamedFrom !== undefined) lines.push(`    ${mp.renamedOn === 'server' ? '← file  ' : '→ server'}  name: "${mp.renamedFrom}" -> "${mp.name}"`)
  for (const s of mp.toServer) lines.push(`    → server  ${s.what}: ${value(s.server)} -> ${value(s.file)}`)
  for (const s of mp.toFile) lines.push(`    ← file    ${s.what}: ${value(s.file)} -> ${value(s.server)}`)
  for (const s of mp.conflicts) lines.push(chalk.red(`    ! conflict ${s.what}: base ${s.base ?? 'absent or none'}, file ${value(s.file)}, server ${value(s.server)}`))
  for (const s of mp.held ?? []) lines.push(chalk.yellow(`    ? held    ${s.what}: file ${value(s.file)}, server answered ${value(s.server)}`))
  for (const n of mp.notes) lines.push(`    ${n}`)
  // What the server holds stands on gridsync's own recent writes: say so, and until when.
  if (evidence?.kind === 'writes') lines.push(chalk.yellow(`    ${assumedNote(evidence)}`))
  return lines.join('\n')
}

function fileLine(f: FileChange): string {
  const where = f.backup ? ` (the previous file is in ${f.backup})` : ''
  switch (f.status) {
    case 'written':
      return `Wrote ${f.file}${where}.`
    case 'created':
      return `Created ${f.file}.`
    case 'moved':
      return `Moved ${f.file} to ${f.backup}.`
    default:
      return `Did not write ${f.file || `the file of "${f.name}"`}: ${f.reason ?? f.status}.`
  }
}
