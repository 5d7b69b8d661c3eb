import assert from 'node:assert/strict'
import {mkdir, readdir, readFile, unlink, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, it} from 'node:test'

import {loadMapsDir, parseMap} from '../../src/format/index.js'
import {acquireLock} from '../../src/lock/index.js'
import {foldName} from '../../src/pull/filenames.js'
import type {SeedMap} from '../../src/sandbox/index.js'
import {runCli} from '../helpers/cli.js'
import {content, FANCY} from '../helpers/maps.js'
import {useSandbox, withSandbox} from '../helpers/sandbox.js'
import {useTempDir} from '../helpers/temp-dir.js'

const FANCY_SEED: SeedMap = {
  name: 'Fancy Map',
  width: 12,
  height: 6,
  observers: [
    {name: 'Fancy Observer A', x: 1, y: 1, vision: 6},
    {name: 'Fancy Observer B', x: 10, y: 1, vision: 6},
    {name: 'Fancy Observer C', x: 1, y: 4, vision: 6},
    {name: 'Fancy Observer D', x: 10, y: 4, vision: 6},
  ],
  obstacles: [
    {x: 5, y: 1},
    {x: 6, y: 1},
    {x: 5, y: 2},
    {x: 8, y: 3},
    {x: 9, y: 3},
    {x: 10, y: 3},
    {x: 11, y: 3},
    {x: 4, y: 5},
    {x: 5, y: 5},
  ],
}

const GARDEN_SEED: SeedMap = {
  name: 'Garden',
  width: 4,
  height: 3,
  observers: [
    {name: 'Gnome', x: 2, y: 1, vision: 2.5},
    {name: 'Owl', x: 0, y: 2},
  ],
  obstacles: [{x: 3, y: 0}],
}

interface PullDoc {
  schemaVersion: number
  server: string
  dryRun: boolean
  maps: Array<{name: string; status: string; file?: string; backup?: string; reason?: string}>
  summary: {written: number; present: number; skipped: number; failed: number; wouldWrite: number}
  removedTempFiles: string[]
}

describe('pull against the sandbox', () => {
  const sandbox = useSandbox()
  let parent: string
  let dir: string
  useTempDir('gridsync-pull-', (created) => {
    parent = created
    dir = path.join(parent, 'maps')
  })

  const cli = (...args: string[]) => runCli([...args, '--server', sandbox().url, '--maps-dir', dir])
  /** The maps directory's entries, without gridsync's own state folder. */
  const entries = async (): Promise<string[]> => (await readdir(dir)).filter((n) => n !== '.gridsync').sort()
  const validate = () => runCli(['validate', '--maps-dir', dir])
  const pullJson = async (...args: string[]): Promise<{code: number; doc: PullDoc; stderr: string}> => {
    const r = await cli('pull', '--json', ...args)
    return {code: r.code, doc: JSON.parse(r.stdout) as PullDoc, stderr: r.stderr}
  }
  const entry = (doc: PullDoc, name: string) => {
    const found = doc.maps.find((m) => m.name === name)
    assert.ok(found, `no entry for "${name}" in ${JSON.stringify(doc.maps)}`)
    return found
  }
  const files = async (entries: Record<string, string>): Promise<void> => {
    await mkdir(dir, {recursive: true})
    for (const [name, text] of Object.entries(entries)) await writeFile(path.join(dir, name), text)
  }

  it('pulls into a new directory; the result validates and diff finds nothing to do', async () => {
    sandbox().seed([FANCY_SEED, GARDEN_SEED])
    const r = await cli('pull')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /^\+ written .*fancy-map\.map \("Fancy Map"\)$/m)
    assert.match(r.stdout, /^\+ written .*garden\.map \("Garden"\)$/m)
    assert.match(r.stdout, /2 maps written to .*, 0 already present, 0 skipped, 0 failed\./)
    assert.equal(await readFile(path.join(dir, 'fancy-map.map'), 'utf8'), FANCY)
    assert.deepEqual((await loadMapsDir(dir)).maps.map(content), sandbox().snapshot().map(content))

    assert.equal((await validate()).code, 0)
    const diff = await cli('diff', '--exit-code')
    assert.equal(diff.code, 0, diff.stdout + diff.stderr)

    // A second pull finds every map present, in both output modes.
    const again = await pullJson()
    assert.equal(again.code, 0)
    assert.equal(again.doc.schemaVersion, 1)
    assert.equal(again.doc.server, sandbox().url)
    assert.deepEqual(again.doc.summary, {written: 0, present: 2, skipped: 0, failed: 0, wouldWrite: 0})
    assert.deepEqual(
      again.doc.maps.map((m) => [m.name, m.status, m.file]),
      [
        ['Fancy Map', 'present', path.join(dir, 'fancy-map.map')],
        ['Garden', 'present', path.join(dir, 'garden.map')],
      ],
    )
  })

  it('runs the sample workflow: pull, edit, diff, push, diff', async () => {
    sandbox().seed([FANCY_SEED, GARDEN_SEED])
    assert.equal((await cli('pull')).code, 0)
    const file = path.join(dir, 'garden.map')
    const edited = (await readFile(file, 'utf8')).replace('Gnome,2.5', 'Gnome,4').replace(/^(.{4})$/m, '#...')
    await writeFile(file, edited)

    const diff = await cli('diff', '--exit-code')
    assert.equal(diff.code, 3, diff.stdout + diff.stderr)
    assert.match(diff.stdout, /Garden/)
    const push = await cli('push')
    assert.equal(push.code, 0, push.stdout + push.stderr)
    const after = await cli('diff', '--exit-code')
    assert.equal(after.code, 0, after.stdout + after.stderr)
    const garden = sandbox()
      .snapshot()
      .find((m) => m.name === 'Garden')
    const parsed = parseMap(edited, file)
    assert.ok(parsed.ok)
    assert.deepEqual(content(garden), content(parsed.map))
  })

  it('pulls the state the last push left, not a stale cached answer', async () => {
    sandbox().defects.staleReadsTtlMs = 300_000
    sandbox().seed([GARDEN_SEED])
    assert.equal((await cli('pull')).code, 0)
    const file = path.join(dir, 'garden.map')
    const edited = (await readFile(file, 'utf8')).replace('Gnome,2.5', 'Gnome,7')
    await writeFile(file, edited)
    // The read-back after the writes is the cached answer too, so push cannot confirm them.
    assert.equal((await cli('push')).code, 8)

    await unlink(file)
    const r = await cli('pull')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(await readFile(file, 'utf8'), edited)
    // Nothing to send, but the server's answers cannot show the edit yet: not known to match (8), never "in sync".
    assert.equal((await cli('diff', '--exit-code')).code, 8)
  })

  it('keeps hostile names inside the directory, each map in its own safe file', async () => {
    const tiny = (name: string): SeedMap => ({name, width: 2, height: 1})
    const cjk = '北'.repeat(31)
    sandbox().seed([
      tiny('../../etc/passwd'),
      tiny('CON'),
      tiny('con map'),
      tiny('.hidden'),
      tiny('a/b\\c'),
      tiny(`X${'😀'.repeat(31)}`),
      tiny(`${cjk}A`),
      tiny(`${cjk}B`),
      tiny('Nul'),
    ])
    await files({'Hidden.MAP': 'not a map: another extension, another case', 'readme.md': 'not a map either'})

    const {code, doc} = await pullJson()
    assert.equal(code, 0, JSON.stringify(doc))
    assert.equal(doc.summary.written, 9)
    const written = doc.maps.filter((m) => m.status === 'written').map((m) => m.file as string)
    for (const f of written) {
      assert.equal(path.dirname(path.resolve(f)), path.resolve(dir), f)
      assert.match(path.basename(f), /^[a-z0-9][a-z0-9-]*\.map$/)
    }
    assert.equal(new Set(written.map((f) => foldName(path.basename(f)))).size, written.length)
    assert.equal(path.basename(entry(doc, '.hidden').file as string), 'hidden-2.map')
    assert.equal(path.basename(entry(doc, 'CON').file as string), 'con-map.map')
    assert.equal(path.basename(entry(doc, 'con map').file as string), 'con-map-2.map')
    assert.equal(path.basename(entry(doc, 'Nul').file as string), 'nul-map.map')
    assert.equal(path.basename(entry(doc, '../../etc/passwd').file as string), 'etc-passwd.map')
    assert.equal(path.basename(entry(doc, `${cjk}B`).file as string).replace(/\.map$/, '').length <= 66, true)

    assert.deepEqual(await readdir(parent), ['maps'])
    assert.equal(await readFile(path.join(dir, 'Hidden.MAP'), 'utf8'), 'not a map: another extension, another case')
    for (const m of doc.maps) {
      const parsed = parseMap(await readFile(m.file as string), m.file as string)
      assert.ok(parsed.ok && parsed.map.name === m.name, m.name)
    }
    assert.equal((await validate()).code, 0)
    const diff = await cli('diff', '--exit-code')
    assert.equal(diff.code, 0, diff.stdout)
  })

  it('skips maps the format cannot express, with the reason, and exits 4 with and without --json', async () => {
    sandbox().seed([
      {
        name: 'Shared Tile',
        width: 3,
        height: 3,
        observers: [
          {name: 'Pip', x: 1, y: 1},
          {name: 'Pop', x: 1, y: 1},
        ],
      },
      {name: 'On Rock', width: 3, height: 3, observers: [{name: 'Rocky', x: 2, y: 2}], obstacles: [{x: 2, y: 2}]},
      {name: 'Shrunk', width: 5, height: 5, obstacles: [{x: 4, y: 4}]},
      {name: 'Crowd', width: 30, height: 30, observers: Array.from({length: 700}, (_, i) => ({name: `Crowd ${i}`, x: i % 30, y: Math.floor(i / 30)}))},
      {name: '🗺️🗺️', width: 1, height: 1},
      GARDEN_SEED,
    ])
    const shrink = await fetch(`${sandbox().url}/api/maps/shrunk/`, {
      method: 'PUT',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({name: 'Shrunk', width: 2, height: 2}),
    })
    assert.equal(shrink.status, 204)

    const dry = await cli('pull', '--dry-run')
    assert.equal(dry.code, 4, dry.stdout + dry.stderr)
    const human = await cli('pull')
    assert.equal(human.code, 4, human.stdout + human.stderr)
    assert.match(human.stdout, /^! skipped "Shared Tile": the map file format cannot express it: observers "Pip" and "Pop" stand on the same tile \(1,1\)$/m)
    assert.match(human.stdout, /^! skipped "On Rock": .*observer "Rocky" stands on an obstacle at \(2,2\)$/m)
    assert.match(human.stdout, /^! skipped "Shrunk": .*an obstacle is outside the 2x2 map: \(4,4\)$/m)
    assert.match(human.stdout, /^! skipped "Crowd": .*700 observers but only \d+ symbols/m)
    assert.match(human.stdout, /^! skipped "🗺️🗺️": .*empty slug/m)
    assert.match(human.stdout, /1 map written to .*, 0 already present, 5 skipped, 0 failed\./)
    assert.deepEqual(await entries(), ['garden.map'])

    const json = await pullJson()
    assert.equal(json.code, 4)
    assert.deepEqual(json.doc.summary, {written: 0, present: 1, skipped: 5, failed: 0, wouldWrite: 0})
    for (const m of json.doc.maps.filter((x) => x.status === 'skipped')) {
      assert.equal(m.file, undefined)
      assert.ok(m.reason && m.reason.length > 0)
    }
    assert.equal((await validate()).code, 0)
  })

  it('leaves existing files alone, and with --overwrite replaces them after a backup it names', async () => {
    sandbox().seed([FANCY_SEED, GARDEN_SEED])
    const mine = FANCY.replace('.a...##...b.', '.a.......b..')
    await files({'mine.map': mine, 'broken.map': 'Garden\nthis is no grid\n'})

    const {code, doc} = await pullJson()
    assert.equal(code, 0)
    assert.deepEqual(entry(doc, 'Fancy Map'), {name: 'Fancy Map', status: 'present', file: path.join(dir, 'mine.map')})
    assert.equal(entry(doc, 'Garden').status, 'present')
    assert.match(entry(doc, 'Garden').reason as string, /invalid/)
    assert.deepEqual((await entries()).sort(), ['broken.map', 'mine.map'])
    assert.equal(await readFile(path.join(dir, 'mine.map'), 'utf8'), mine)

    const r = await cli('pull', '--overwrite')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const backup = /previous content kept in (\S+)/.exec(r.stdout)?.[1]
    assert.ok(backup, r.stdout)
    assert.equal(path.dirname(path.dirname(path.dirname(backup))), path.join(dir, '.gridsync'))
    assert.equal(await readFile(backup, 'utf8'), mine)
    assert.equal(await readFile(path.join(dir, 'mine.map'), 'utf8'), FANCY)
    assert.equal(await readFile(path.join(dir, 'broken.map'), 'utf8'), 'Garden\nthis is no grid\n')
    assert.match(r.stdout, /^= present .*broken\.map \("Garden"\): the file is invalid/m)
  })

  it('--dry-run lists what it would write and writes nothing', async () => {
    sandbox().seed([FANCY_SEED, GARDEN_SEED])
    const human = await cli('pull', '--dry-run')
    assert.equal(human.code, 0, human.stderr)
    assert.match(human.stdout, /^~ would write .*fancy-map\.map \("Fancy Map"\)$/m)
    assert.match(human.stdout, /Dry run, nothing written: 2 maps would be written/)
    const json = await pullJson('--dry-run')
    assert.equal(json.code, 0)
    assert.equal(json.doc.dryRun, true)
    assert.deepEqual(
      json.doc.maps.map((m) => m.status),
      ['would-write', 'would-write'],
    )
    assert.deepEqual(await readdir(parent), [])
  })

  it('--only pulls just the named maps; a name only in the files fails with exit 4, one that matches no map is a usage error', async () => {
    sandbox().seed([FANCY_SEED, GARDEN_SEED])
    const r = await cli('pull', '--only', 'Garden')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.deepEqual(await entries(), ['garden.map'])

    await files({'local.map': 'Local Only\n..\n'})
    const missing = await pullJson('--only', 'Fancy Map', '--only', 'Local Only')
    assert.equal(missing.code, 4)
    assert.deepEqual(
      missing.doc.maps.map((m) => [m.name, m.status]),
      [
        ['Fancy Map', 'written'],
        ['Local Only', 'failed'],
      ],
    )
    const nowhere = await cli('pull', '--only', 'Nowhere')
    assert.equal(nowhere.code, 2)
    assert.match(nowhere.stderr, /--only "Nowhere" matches no map/)
  })

  it('ignores what an interrupted pull left behind, and the next pull clears it', async () => {
    sandbox().seed([GARDEN_SEED])
    const leftover = '.garden.map.999999999.00ff.tmp'
    await files({[leftover]: 'Garden\n..'})
    assert.equal((await validate()).code, 0)
    assert.equal((await cli('diff')).code, 0)

    const {code, doc} = await pullJson()
    assert.equal(code, 0)
    assert.deepEqual(doc.removedTempFiles, [path.join(dir, leftover)])
    assert.deepEqual(await entries(), ['garden.map'])
  })

  it('checks the API version first (exit 7) and reports an unreachable server (exit 6)', async () => {
    await withSandbox({apiVersion: '2.0.0', seed: [GARDEN_SEED]}, async (other) => {
      for (const json of [[], ['--json']]) {
        const r = await runCli(['pull', '--server', other.url, '--maps-dir', dir, ...json])
        assert.equal(r.code, 7, r.stdout + r.stderr)
      }
      assert.equal((await runCli(['pull', '--server', other.url, '--maps-dir', dir, '--skip-version-check'])).code, 0)
    })
    const down = await runCli(['pull', '--server', 'http://127.0.0.1:1', '--retries', '0', '--maps-dir', dir])
    assert.equal(down.code, 6, down.stdout + down.stderr)
  })

  it('exits 10 while another run holds the lock on the directory, writing nothing; a dry run still works', async () => {
    sandbox().seed([GARDEN_SEED])
    await mkdir(dir)
    const lock = await acquireLock(dir, {command: 'push'})
    try {
      for (const json of [[], ['--json']]) {
        const r = await cli('pull', ...json)
        assert.equal(r.code, 10, r.stdout + r.stderr)
      }
      assert.deepEqual(await entries(), [])
      assert.equal((await cli('pull', '--dry-run')).code, 0)
    } finally {
      await lock.release()
    }
    assert.equal((await cli('pull')).code, 0)
    assert.deepEqual(await entries(), ['garden.map'])
  })

  it('exits 2 on a usage error, with and without --json', async () => {
    for (const json of [[], ['--json']]) assert.equal((await cli('pull', '--concurrency', '0', ...json)).code, 2)
  })
})
