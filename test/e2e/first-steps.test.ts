import assert from 'node:assert/strict'
import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, it} from 'node:test'

import {runCli} from '../helpers/cli.js'
import {FANCY} from '../helpers/maps.js'
import {useTempDir} from '../helpers/temp-dir.js'

// What someone new to gridsync meets in the first minutes: the messages, help and
// reports of the commands they try first.

describe('first steps', () => {
  let dir: string
  useTempDir('gridsync-first-', (created) => {
    dir = created
  })

  it('prints the --server sandbox warning on one line, its URL whole, however narrow the terminal', async () => {
    await writeFile(path.join(dir, 'fancy.map'), FANCY)
    const r = await runCli(['diff', '--server', 'sandbox', '--maps-dir', dir], {env: {OCLIF_COLUMNS: '40'}})
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stderr, /^ › {3}Warning: Using an empty in-process sandbox server at http:\/\/127\.0\.0\.1:\d+; it is gone when this run ends\.$/m)
  })

  it('suggests http:// for a --server given without a scheme', async () => {
    const r = await runCli(['diff', '--server', 'localhost:18181', '--maps-dir', dir])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /did you mean http:\/\/localhost:18181\?/)
    assert.doesNotMatch(r.stderr, /localhost:\/\//)
  })

  it('says what a --header looks like, and exits at once even with --server sandbox', async () => {
    for (const server of ['sandbox', 'http://127.0.0.1:9']) {
      const r = await runCli(['diff', '--server', server, '--maps-dir', dir, '--header', 'bad header'])
      assert.equal(r.code, 2, r.stderr)
      assert.match(r.stderr, /--header must be a name, a colon and a value, such as "X-Team: maps"; it has no colon/)
    }
  })

  it('lists the switch values the environment accepts', async () => {
    const r = await runCli(['validate', '--maps-dir', dir], {env: {GRIDSYNC_QUIET: 'maybe'}})
    assert.equal(r.code, 2)
    assert.match(r.stderr, /GRIDSYNC_QUIET must be one of true, false, yes, no, 1, 0/)
  })

  it('colours with --color even when NO_COLOR is set (the flag wins)', async () => {
    await writeFile(path.join(dir, 'fancy.map'), FANCY)
    const coloured = await runCli(['validate', '--maps-dir', dir, '--color'], {env: {NO_COLOR: '1'}})
    assert.equal(coloured.code, 0, coloured.stderr)
    assert.match(coloured.stdout, /\u001b\[32m1 file checked: all valid/)
    const plain = await runCli(['validate', '--maps-dir', dir], {env: {NO_COLOR: '1', FORCE_COLOR: '1'}})
    assert.doesNotMatch(plain.stdout, /\u001b\[/)
  })

  it('leaves notes beside the maps alone: a README.txt is skipped, not an invalid map', async () => {
    await writeFile(path.join(dir, 'fancy.map'), FANCY)
    await writeFile(path.join(dir, 'README.txt'), 'Notes about these maps\nEdit them by hand, one map per file.\n')
    const push = await runCli(['push', '--server', 'sandbox', '--maps-dir', dir])
    assert.equal(push.code, 0, push.stdout + push.stderr)
    assert.doesNotMatch(push.stdout, /README/)
    const quiet = await runCli(['validate', '--maps-dir', dir, '--quiet'])
    assert.equal(quiet.code, 0)
    assert.equal(quiet.stdout, '')
  })
})
