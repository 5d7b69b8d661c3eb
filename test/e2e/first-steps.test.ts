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
})
