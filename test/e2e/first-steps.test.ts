import assert from 'node:assert/strict'
import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, it} from 'node:test'

import {runCli} from '../helpers/cli.js'
import {FANCY, SMALL} from '../helpers/maps.js'
import {useSandbox} from '../helpers/sandbox.js'
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

  it("describes each command's flags and exit codes in its own terms", async () => {
    const help = async (command: string): Promise<string> => {
      const r = await runCli([command, '--help'])
      assert.equal(r.code, 0, r.stderr)
      return r.stdout.replaceAll(/\s+/g, ' ')
    }
    for (const command of ['validate', 'pull', 'config', 'sandbox']) {
      assert.doesNotMatch(await help(command), /for diff and push/, command)
    }
    const validate = await help('validate')
    assert.doesNotMatch(validate, /operation|verif/i)
    assert.match(validate, /Print only problems \(invalid files and warnings\)/)
    assert.match(validate, / 5 some map files are invalid/)
    const pull = await help('pull')
    assert.match(pull, /--maps-dir=DIR .*Directory to write the map files \(\*\.map\) into; created if needed\./)
    assert.doesNotMatch(pull, /operations failed|conflict/)
    assert.match(pull, / 4 some maps were not written/)
    assert.match(await help('sandbox'), / 0 the sandbox stopped on SIGINT or SIGTERM/)
    assert.match(await help('push'), / 0 success: the server is known to match the files/)
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

describe('first steps against a sandbox', () => {
  const sandbox = useSandbox()
  let dir: string
  useTempDir('gridsync-first-', (created) => {
    dir = created
  })
  const cli = (...args: string[]) => runCli([...args, '--server', sandbox().url, '--maps-dir', dir])

  it('states the exit code at the top of every --json document', async () => {
    await writeFile(path.join(dir, 'small.map'), SMALL)
    const diff = await cli('diff', '--exit-code', '--json')
    assert.equal(diff.code, 3, diff.stderr)
    const push = await cli('push', '--json')
    assert.equal(push.code, 0, push.stderr)
    const pull = await cli('pull', '--json')
    assert.equal(pull.code, 0, pull.stderr)
    const validate = await runCli(['validate', '--json', '--maps-dir', dir])
    assert.equal(validate.code, 0, validate.stderr)
    for (const [r, code] of [
      [diff, 3],
      [push, 0],
      [pull, 0],
      [validate, 0],
    ] as const) {
      const doc = JSON.parse(r.stdout) as Record<string, unknown>
      assert.deepEqual(Object.keys(doc).slice(0, 2), ['schemaVersion', 'exitCode'])
      assert.equal(doc.exitCode, code)
    }
  })

  it('ends diff --format patch with the summary line, as every other run', async () => {
    await writeFile(path.join(dir, 'small.map'), SMALL)
    const r = await cli('diff', '--format', 'patch')
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^\+\+\+ /m)
    assert.match(r.stdout, /\ngridsync diff: 1 map to create, .*; exit 0 in [\d.]+ s\n$/)
    const quiet = await cli('diff', '--format', 'patch', '--quiet')
    assert.doesNotMatch(quiet.stdout, /gridsync diff:/)
  })

  it('lists maps in natural order, and the obstacles of a new map as one line', async () => {
    for (const n of [0, 1, 2, 10, 11]) await writeFile(path.join(dir, `m${n}.map`), `Map ${n}\n.${'#'.repeat(30)}\n`)
    const r = await cli('diff')
    assert.equal(r.code, 0, r.stderr)
    const order = [...r.stdout.matchAll(/^\+ (Map \d+) {2}new/gm)].map((m) => m[1])
    assert.deepEqual(order, ['Map 0', 'Map 1', 'Map 2', 'Map 10', 'Map 11'])
    assert.match(r.stdout, /^ {4}\+ 30 obstacles$/m)
    assert.doesNotMatch(r.stdout, /obstacle \(/)
  })

  it('takes push --dry-run as diff: says so on stderr, writes nothing, prints what diff prints', async () => {
    await writeFile(path.join(dir, 'small.map'), SMALL)
    const dry = await cli('push', '--dry-run', '--wait-lock', '5', '--no-verify', '--json')
    assert.equal(dry.code, 0, dry.stderr)
    assert.match(dry.stderr, /^push --dry-run runs `gridsync diff` with the same flags: it shows what a push would do and writes nothing\.$/m)
    assert.equal(sandbox().snapshot().length, 0)
    const diff = await cli('diff', '--json')
    // The same document, but for the times its evidence was taken at.
    const timeless = (text: string) => JSON.parse(text.replace(/"\d{4}-\d\d-\d\dT[\d:.]+Z"/g, '"T"'))
    assert.deepEqual(timeless(dry.stdout), timeless(diff.stdout))
    const text = await cli('push', '--dry-run')
    assert.match(text.stdout, /^\+ Small {2}new 3x2/m)
    assert.match(text.stdout, /^gridsync diff: 1 map to create/m)
    assert.equal(sandbox().snapshot().length, 0)
  })
})
