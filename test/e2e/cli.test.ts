import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {runCli} from '../helpers/cli.js'

describe('gridsync CLI basics', () => {
  it('lists commands and exit codes in root help', async () => {
    const r = await runCli(['--help'])
    assert.equal(r.code, 0)
    assert.match(r.stdout, /EXIT CODES/)
    assert.match(r.stdout, /10 {2}another gridsync run holds the lock/)
  })

  it('exits 2 on an unknown flag, with and without --json', async () => {
    const human = await runCli(['validate', '--bogus'])
    assert.equal(human.code, 2)
    assert.match(human.stderr, /Nonexistent flag: --bogus/)
    const json = await runCli(['validate', '--bogus', '--json'])
    assert.equal(json.code, 2)
    const doc = JSON.parse(json.stdout)
    assert.equal(doc.status, 'error')
    assert.equal(doc.exitCode, 2)
  })
})
