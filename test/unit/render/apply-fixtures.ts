import type {Plan} from '../../../src/sync/plan-types.js'
import type {ApplyResult, OpOutcome, OpResult} from '../../../src/sync/result-types.js'

/** An apply result for a plan: every operation applied except those given other outcomes by id. */
export function applyOf(plan: Plan, outcomes: Record<number, Omit<OpResult, 'op' | 'durationMs'>> = {}): ApplyResult {
  const results: OpResult[] = plan.operations.map((op) => ({op, durationMs: 3, ...(outcomes[op.id] ?? {outcome: 'applied'})}))
  const counts: Record<OpOutcome, number> = {applied: 0, reconciled: 0, unconfirmed: 0, failed: 0, skipped: 0}
  for (const r of results) counts[r.outcome]++
  return {results, counts}
}
