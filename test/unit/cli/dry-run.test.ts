import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {dryRunAsDiff} from '../../../src/cli/dry-run.js'

describe('dryRunAsDiff', () => {
  it('is undefined for a push without --dry-run, or with it only after --', () => {
    assert.equal(dryRunAsDiff(['--server', 'sandbox']), undefined)
    assert.equal(dryRunAsDiff(['--server', 'sandbox', '--', '--dry-run']), undefined)
  })

  it("hands diff the push's flags without --dry-run and the flags only a push has", () => {
    assert.deepEqual(dryRunAsDiff(['--dry-run', '--server', 'sandbox', '--wait-lock', '5', '--no-verify', '--only', 'A', '--json']), [
      '--server',
      'sandbox',
      '--only',
      'A',
      '--json',
    ])
    assert.deepEqual(dryRunAsDiff(['--wait-lock=5', '--verify', '--prune', '--dry-run']), ['--prune'])
  })
})
