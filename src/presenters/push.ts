/**
 * What a push shows: before sending, its plan (the plan's events and the plan in text,
 * without pictures); once done, the result: why it stopped sending early if it did, the
 * verdicts, what was applied and what was verified in text, the `push --json` document,
 * the tallies and the exit code. The exit code is the one the push recorded in its
 * journal (see pushExitCode in src/sync/session.ts), never computed a second time.
 */

import type {ChalkInstance} from 'chalk'

import type {ExitCode} from '../exit-codes.js'
import type {RunTotals} from '../log/index.js'
import {withExitCode, withRunNotes} from '../render/document.js'
import {pushDocument, renderApply, renderPlan, renderVerification} from '../render/index.js'
import {count} from '../render/words.js'
import {haltNotice, haltTally} from '../sync/halt.js'
import type {Plan} from '../sync/plan-types.js'
import type {PushOutcome} from '../sync/session.js'
import {leftAlone} from './diff.js'
import type {Presenter} from './presenter.js'
import type {RunLog} from './run-log.js'

export interface PushView {
  chalk: ChalkInstance
  /** List every change, failure and difference in the text report. */
  verbose: boolean
}

export class PushPresenter implements Presenter {
  readonly exitCode: ExitCode

  constructor(
    private readonly plan: Plan,
    private readonly outcome: PushOutcome,
    private readonly view: PushView & {notices: readonly string[]},
  ) {
    this.exitCode = outcome.exitCode
  }

  /** The plan, as a push shows it before it sends anything: its events, then the plan in text. */
  static announce(log: RunLog, plan: Plan, view: PushView): void {
    log.plan(plan)
    log.report(renderPlan(plan, {chalk: view.chalk, picture: false, verbose: view.verbose}))
  }

  logEvents(log: RunLog): void {
    const {apply, verification} = this.outcome
    if (apply.halted) log.warning(haltNotice(apply.halted, apply))
    log.verification(verification)
  }

  report(): string[] {
    const {apply, verification} = this.outcome
    const opts = {verbose: this.view.verbose}
    const applied = this.plan.operations.length > 0 ? [renderApply(apply, this.view.chalk, opts)] : []
    return [...applied, renderVerification(verification, this.view.chalk, opts)]
  }

  totals(): RunTotals {
    return pushTotals(this.plan, this.outcome)
  }

  document(): unknown {
    const {apply, verification} = this.outcome
    return withExitCode(withRunNotes(pushDocument(this.plan, apply, verification), {notices: this.view.notices, apply}), this.exitCode)
  }
}

/** `76 applied, 0 failed, 0 skipped; 4 maps verified`. */
export function pushTotals(plan: Plan, outcome: Pick<PushOutcome, 'apply' | 'verification'>): RunTotals {
  const c = outcome.apply.counts
  const v = outcome.verification
  const verified = v.maps.filter((m) => m.verdict === 'confirmed').length
  const notVerified = v.maps.length - verified
  const alone = leftAlone(plan)

  const applied = [`${c.applied} applied`]
  if (c.reconciled > 0) applied.push(`${c.reconciled} reconciled`)
  if (c.unconfirmed > 0) applied.push(`${c.unconfirmed} unconfirmed`)
  applied.push(`${c.failed} failed`, `${c.skipped} skipped`)
  const parts = [applied.join(', '), ...alone.words]
  if (v.skipped) parts.push('verification skipped')
  else parts.push(`${count(verified, 'map')} verified${notVerified > 0 ? `, ${notVerified} not` : ''}`)
  const halted = outcome.apply.halted && haltTally(outcome.apply)
  if (halted) parts.push(`stopped sending (${outcome.apply.halted!.reason.replace(/ \(.*$/, '')}): ${halted.sent} of ${count(halted.total, 'operation')} sent`)
  return {
    counts: {
      applied: c.applied,
      reconciled: c.reconciled,
      unconfirmed: c.unconfirmed,
      failed: c.failed,
      skipped: c.skipped,
      invalidFiles: alone.invalid,
      conflicts: alone.conflicts,
      mapsVerified: verified,
      mapsNotVerified: notVerified,
    },
    summary: parts.join('; '),
  }
}
