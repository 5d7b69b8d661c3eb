import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {diffTotals} from '../../../src/presenters/diff.js'
import {pullTotals} from '../../../src/presenters/pull.js'
import {pushTotals} from '../../../src/presenters/push.js'
import {validateTotals} from '../../../src/presenters/validate.js'
import type {Verification} from '../../../src/sync/result-types.js'
import {applyOf} from '../render/apply-fixtures.js'
import {FANCY_LOCAL, FANCY_REMOTE, local, planOf, remote} from '../render/fixtures.js'

// Operations: 0 delete D, 1 resize, 2 delete obstacle (4,5), 3 update A, 4 update B, 5 create E, 6-7 create obstacles.
const plan = planOf({
  local: [local('maps/fancy-map.map', FANCY_LOCAL), local('maps/small.map', ['Small', 'a.', 'a,Small One,2'])],
  remote: [remote(FANCY_REMOTE)],
  invalid: [{file: 'maps/broken.map', name: 'Broken', problems: ['maps/broken.map:2:1: bad']}],
})
const verified = (...verdicts: Array<'confirmed' | 'unconfirmed' | 'not-applied'>): Verification => ({
  skipped: false,
  maps: verdicts.map((verdict, i) => ({name: `m${i}`, verdict, differences: []})),
})

describe('run totals', () => {
  it('push: outcomes, invalid files and verification, with the rare outcomes only when they happened', () => {
    const clean = pushTotals(plan, {apply: applyOf(plan), verification: verified('confirmed', 'confirmed')})
    assert.equal(clean.summary, `${plan.operations.length} applied, 0 failed, 0 skipped; 1 invalid file left alone; 2 maps verified`)
    assert.deepEqual(clean.counts, {
      applied: plan.operations.length,
      reconciled: 0,
      unconfirmed: 0,
      failed: 0,
      skipped: 0,
      invalidFiles: 1,
      conflicts: 0,
      mapsVerified: 2,
      mapsNotVerified: 0,
    })

    const rough = pushTotals(plan, {
      apply: applyOf(plan, {0: {outcome: 'reconciled'}, 1: {outcome: 'failed'}, 5: {outcome: 'skipped'}, 7: {outcome: 'unconfirmed'}}),
      verification: verified('confirmed', 'not-applied', 'unconfirmed'),
    })
    assert.equal(rough.summary, `${plan.operations.length - 4} applied, 1 reconciled, 1 unconfirmed, 1 failed, 1 skipped; 1 invalid file left alone; 1 map verified, 2 not`)
    assert.equal(rough.counts.mapsNotVerified, 2)

    const unverified = pushTotals(plan, {apply: applyOf(plan), verification: {skipped: true, maps: []}})
    assert.match(unverified.summary, /; verification skipped$/)
  })

  it('diff: maps by action and the number of operations', () => {
    const t = diffTotals(plan)
    assert.equal(t.summary, `1 map to create, 1 to update, 0 to delete, 0 unchanged; ${plan.operations.length} operations; 1 invalid file left alone`)
    assert.deepEqual(t.counts, {create: 1, update: 1, delete: 0, rebuild: 0, rename: 0, unchanged: 0, operations: plan.operations.length, invalidFiles: 1, conflicts: 0})
  })

  it('push and diff: maps in conflict are counted as left alone', () => {
    const withConflict = {...plan, maps: [...plan.maps, {name: 'Other', action: 'conflict' as const, changes: plan.maps[0]!.changes, notes: []}]}
    assert.match(diffTotals(withConflict).summary, /; 1 invalid file left alone; 1 map in conflict left alone$/)
    const push = pushTotals(withConflict, {apply: applyOf(plan), verification: verified('confirmed')})
    assert.match(push.summary, /; 1 invalid file left alone; 1 map in conflict left alone; 1 map verified$/)
    assert.equal(push.counts.conflicts, 1)
  })

  it('pull: maps by status, a dry run said so', () => {
    const maps = [
      {name: 'A', status: 'written' as const},
      {name: 'B', status: 'present' as const},
      {name: 'C', status: 'failed' as const},
    ]
    const real = pullTotals({dryRun: false, maps, removedTempFiles: [], warnings: []})
    assert.equal(real.summary, '1 written, 1 present, 0 skipped, 1 failed')
    assert.deepEqual(real.counts, {written: 1, wouldWrite: 0, present: 1, skipped: 0, failed: 1})
    const dry = pullTotals({dryRun: true, maps: [{name: 'A', status: 'would-write'}], removedTempFiles: [], warnings: []})
    assert.equal(dry.summary, 'dry run: 1 would be written, 0 present, 0 skipped, 0 failed')
  })

  it('validate: files checked and problems', () => {
    assert.equal(validateTotals({files: 1, valid: 1, invalid: 0, problems: 0}).summary, '1 file checked, all valid')
    assert.equal(validateTotals({files: 3, valid: 1, invalid: 2, problems: 1}).summary, '3 files checked, 2 invalid (1 problem)')
  })
})
