import type {PullResult} from '../pull/pull.js'
import {haltTally} from '../sync/halt.js'
import {summarizePull} from '../pull/report.js'
import {count} from '../render/words.js'
import type {Plan} from '../sync/plan-types.js'
import type {PushOutcome} from '../sync/session.js'

/** What a run's last event reports: its tallies, and the same in words. */
export interface RunTotals {
  counts: Record<string, number>
  summary: string
}

/** Maps the plan leaves alone: invalid files, and maps someone else changed on the server. */
function leftAlone(plan: Plan): {invalid: number; conflicts: number; words: string[]} {
  const invalid = plan.maps.filter((m) => m.action === 'invalid').length
  const conflicts = plan.maps.filter((m) => m.action === 'conflict').length
  const words: string[] = []
  if (invalid > 0) words.push(`${count(invalid, 'invalid file')} left alone`)
  if (conflicts > 0) words.push(`${count(conflicts, 'map')} in conflict left alone`)
  return {invalid, conflicts, words}
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

/** `2 written, 1 present, 0 skipped, 0 failed`, or on a dry run `dry run: 2 would be written, ...`. */
export function pullTotals(result: PullResult): RunTotals {
  const s = summarizePull(result.maps)
  const rest = `${s.present} present, ${s.skipped} skipped, ${s.failed} failed`
  return {
    counts: {written: s.written, wouldWrite: s.wouldWrite, present: s.present, skipped: s.skipped, failed: s.failed},
    summary: result.dryRun ? `dry run: ${s.wouldWrite} would be written, ${rest}` : `${s.written} written, ${rest}`,
  }
}

/** `3 files checked, 1 invalid (2 problems)`. */
export function validateTotals(s: {files: number; valid: number; invalid: number; problems: number}): RunTotals {
  const checked = `${count(s.files, 'file')} checked`
  return {
    counts: {files: s.files, valid: s.valid, invalid: s.invalid, problems: s.problems},
    summary: s.invalid === 0 ? `${checked}, all valid` : `${checked}, ${s.invalid} invalid (${count(s.problems, 'problem')})`,
  }
}
