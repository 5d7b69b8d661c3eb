/**
 * What a diff shows of its plan: the plan's events, the plan in text (or as a unified
 * patch), the `diff --json` document, the tallies and the exit code. The tallies of the
 * maps a plan leaves alone are shared with push, whose plan is shown the same way.
 */

import type {ChalkInstance} from 'chalk'

import {ExitCode} from '../exit-codes.js'
import type {RunTotals} from '../log/index.js'
import {withExitCode, withRunNotes} from '../render/document.js'
import {planDocument, renderPlan} from '../render/index.js'
import {count} from '../render/words.js'
import type {Plan} from '../sync/plan-types.js'
import {standingVerdict} from '../sync/verify.js'
import type {Presenter} from './presenter.js'
import type {RunLog} from './run-log.js'

export interface DiffView {
  chalk: ChalkInstance
  /** List every change in the text report. */
  verbose: boolean
  /** `patch`: a unified diff of the map files in place of the text report. */
  format: 'text' | 'patch'
  /** `--exit-code`: the exit code says whether a push has anything to do. */
  exitCodeFlag: boolean
  /** The journal's warnings about earlier unfinished runs, first in the document. */
  notices: readonly string[]
}

export class DiffPresenter implements Presenter {
  readonly exitCode: ExitCode
  readonly page: (() => Promise<string>) | undefined

  constructor(
    private readonly plan: Plan,
    private readonly view: DiffView,
  ) {
    this.exitCode = diffExitCode(plan, view.exitCodeFlag)
    this.page =
      view.format === 'patch'
        ? async () => {
            // The patch renderer brings the diff library: loaded only when asked for.
            const {renderPlanPatch} = await import('../render/patch.js')
            return renderPlanPatch(plan)
          }
        : undefined
  }

  logEvents(log: RunLog): void {
    log.plan(this.plan)
  }

  report(): string[] {
    return [renderPlan(this.plan, {chalk: this.view.chalk, verbose: this.view.verbose})]
  }

  totals(): RunTotals {
    return diffTotals(this.plan)
  }

  document(): unknown {
    return withExitCode(withRunNotes(planDocument(this.plan), {notices: this.view.notices}), this.exitCode)
  }
}

/**
 * Exit code of a diff. Always 5 when files are invalid. With --exit-code: 4 when a map
 * is in conflict, 3 when a push would send something, 8 when it would send nothing but
 * the server is not known to match the files, 0 only when it is.
 */
export function diffExitCode(p: Plan, exitCodeFlag: boolean): ExitCode {
  if (p.maps.some((m) => m.action === 'invalid')) return ExitCode.INVALID_MAPS
  if (!exitCodeFlag) return ExitCode.OK
  if (p.maps.some((m) => m.action === 'conflict')) return ExitCode.OPERATIONS_FAILED
  if (p.operations.length > 0) return ExitCode.CHANGES_PENDING
  if (p.maps.some((m) => (standingVerdict(m)?.verdict ?? 'confirmed') !== 'confirmed')) return ExitCode.NOT_VERIFIED
  return ExitCode.OK
}

/** `1 map to create, 0 to update, 0 to delete, 3 unchanged; 13 operations`. */
export function diffTotals(plan: Plan): RunTotals {
  const m = plan.summary.maps
  const alone = leftAlone(plan)
  const parts = [
    `${count(m.create, 'map')} to create, ${m.update} to update, ${m.delete} to delete, ${m.rebuild > 0 ? `${m.rebuild} to rebuild, ` : ''}${m.rename > 0 ? `${m.rename} to rename, ` : ''}${m.unchanged} unchanged`,
    count(plan.operations.length, 'operation'),
    ...alone.words,
  ]
  return {
    counts: {
      create: m.create,
      update: m.update,
      delete: m.delete,
      rebuild: m.rebuild,
      rename: m.rename,
      unchanged: m.unchanged,
      operations: plan.operations.length,
      invalidFiles: alone.invalid,
      conflicts: alone.conflicts,
    },
    summary: parts.join('; '),
  }
}

/** Maps the plan leaves alone: invalid files, and maps someone else changed on the server. */
export function leftAlone(plan: Plan): {invalid: number; conflicts: number; words: string[]} {
  const invalid = plan.maps.filter((m) => m.action === 'invalid').length
  const conflicts = plan.maps.filter((m) => m.action === 'conflict').length
  const words: string[] = []
  if (invalid > 0) words.push(`${count(invalid, 'invalid file')} left alone`)
  if (conflicts > 0) words.push(`${count(conflicts, 'map')} in conflict left alone`)
  return {invalid, conflicts, words}
}
