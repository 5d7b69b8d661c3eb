import assert from 'node:assert/strict'
import {readdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, it} from 'node:test'

import {loadMapsDir} from '../../src/format/index.js'
import {acquireLock} from '../../src/lock/index.js'
import {positionKey} from '../../src/model/types.js'
import type {Sandbox} from '../../src/sandbox/index.js'
import {runCli} from '../helpers/cli.js'
import {content, FANCY, SMALL} from '../helpers/maps.js'
import {useSandbox, withSandbox} from '../helpers/sandbox.js'
import {useTempDir} from '../helpers/temp-dir.js'

function writes(sandbox: Sandbox): number {
  return Object.entries(sandbox.stats.byRoute)
    .filter(([k]) => /^(POST|PUT|DELETE) /.test(k))
    .reduce((n, [, v]) => n + v, 0)
}

describe('diff and push against the sandbox', () => {
  const sandbox = useSandbox()
  let dir: string
  useTempDir('gridsync-push-', (created) => {
    dir = created
  })

  const files = async (entries: Record<string, string>): Promise<void> => {
    for (const [name, text] of Object.entries(entries)) await writeFile(path.join(dir, name), text)
  }

  const cli = (...args: string[]) => runCli([...args, '--server', sandbox().url, '--maps-dir', dir])

  /** Asserts that the server holds exactly the valid maps of the directory (and `extra` names). */
  const assertServerMatchesFiles = async (extra: string[] = []): Promise<void> => {
    const {maps} = await loadMapsDir(dir)
    const server = sandbox().snapshot()
    const byName = (a: {name: string}, b: {name: string}) => a.name.localeCompare(b.name)
    assert.deepEqual(
      server
        .filter((m) => !extra.includes(m.name))
        .sort(byName)
        .map(content),
      [...maps].sort(byName).map(content),
    )
    for (const m of server) {
      const keys = m.obstacles.map(positionKey)
      assert.equal(new Set(keys).size, keys.length, `duplicate obstacle on ${m.name}`)
    }
  }

  it('diff shows the plan and --exit-code says there is work (3), in both output modes', async () => {
    await files({'fancy.map': FANCY})
    const human = await cli('diff', '--exit-code')
    assert.equal(human.code, 3, human.stderr)
    assert.match(human.stdout, /Fancy Map/)
    const json = await cli('diff', '--exit-code', '--json')
    assert.equal(json.code, 3, json.stderr)
    const doc = JSON.parse(json.stdout)
    assert.equal(doc.schemaVersion, 1)
    assert.deepEqual(doc.summary, {
      maps: {create: 1, update: 0, delete: 0, unchanged: 0, rebuild: 0, rename: 0},
      observers: {create: 4, update: 0, delete: 0},
      obstacles: {create: 9, delete: 0},
    })
    assert.equal(writes(sandbox()), 0, 'diff must not write')
  })

  it('pushes fresh maps, verifies them, and a second push sends no write', async () => {
    await files({'fancy.map': FANCY, 'small.map': SMALL})
    const first = await cli('push')
    assert.equal(first.code, 0, first.stdout + first.stderr)
    assert.match(first.stdout, /Verified/)
    await assertServerMatchesFiles()

    sandbox().resetStats()
    const second = await cli('push', '--json')
    assert.equal(second.code, 0, second.stdout + second.stderr)
    assert.equal(writes(sandbox()), 0)
    const doc = JSON.parse(second.stdout)
    assert.equal(doc.apply.results.length, 0)

    const diff = await cli('diff', '--exit-code')
    assert.equal(diff.code, 0, diff.stdout)
  })

  it('applies every kind of change: moves, vision, obstacles, observers, grow and shrink', async () => {
    await files({'fancy.map': FANCY, 'small.map': SMALL})
    assert.equal((await cli('push')).code, 0)
    await files({
      // Fancy Map grows by one column, loses an obstacle, gains two, a moves, b's vision changes, d is gone, e is new.
      'fancy.map': `Fancy Map
.............
.....##...b.#
.a...#.......
........####.
.c...e.......
.....#......#
a,Fancy Observer A,6
b,Fancy Observer B,3
c,Fancy Observer C,6
e,Fancy Observer E
`,
      // Small shrinks.
      'small.map': `Small
a.
.b
a,Small One,2
b,Small Two
`,
    })
    const r = await cli('push')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    await assertServerMatchesFiles()
  })

  it('moves an observer from one map to another', async () => {
    await files({'fancy.map': FANCY, 'small.map': SMALL})
    assert.equal((await cli('push')).code, 0)
    await files({
      'fancy.map': FANCY.replace('.a...##', '.....##').replace('a,Fancy Observer A,6\n', ''),
      'small.map': SMALL.replace('.#b', 'x#b') + 'x,Fancy Observer A,6\n',
    })
    const r = await cli('push')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    await assertServerMatchesFiles()
  })

  it('removes an obstacle the server holds twice, and never creates a duplicated one again', async () => {
    sandbox().seed([
      {
        name: 'Small',
        width: 3,
        height: 2,
        obstacles: [
          {x: 1, y: 1},
          {x: 0, y: 1},
          {x: 0, y: 1},
        ],
      },
    ])
    await files({'small.map': SMALL})
    const r = await cli('push')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(sandbox().stats.byRoute['POST /api/maps/<map>/obstacles/'], 1, 'only (2,0) is created')
    await assertServerMatchesFiles()
  })

  it('keeps maps that have no file unless --prune', async () => {
    sandbox().seed([{name: 'Old One', width: 2, height: 2, obstacles: [{x: 0, y: 0}]}])
    await files({'small.map': SMALL})
    assert.equal((await cli('push')).code, 0)
    await assertServerMatchesFiles(['Old One'])
    const pruned = await cli('push', '--prune')
    assert.equal(pruned.code, 0, pruned.stdout + pruned.stderr)
    await assertServerMatchesFiles()
  })

  it('stops before any change when --prune would delete more maps than --max-delete (exit 9)', async () => {
    sandbox().seed(Array.from({length: 7}, (_, i) => ({name: `Extra ${i}`, width: 1, height: 1})))
    await files({'small.map': SMALL})
    for (const extra of [[], ['--json']]) {
      // eslint-disable-next-line no-await-in-loop
      const r = await cli('push', '--prune', ...extra)
      assert.equal(r.code, 9, r.stdout + r.stderr)
      assert.match(r.stdout + r.stderr, /deletes 7 of the 7 maps/)
      assert.equal(writes(sandbox()), 0)
    }

    const diff = await cli('diff', '--prune')
    assert.match(diff.stdout + diff.stderr, /A push would stop here/)
    const pct = await cli('push', '--prune', '--max-delete', '50%')
    assert.equal(pct.code, 9)
    const approved = await cli('push', '--prune', '--yes')
    assert.equal(approved.code, 0, approved.stdout + approved.stderr)
    await assertServerMatchesFiles()
  })

  it('leaves alone a server map whose empty slug makes it unreachable, saying so', async () => {
    sandbox().seed([{name: '!!!', width: 1, height: 1}])
    await files({'small.map': SMALL})
    const r = await cli('push', '--prune')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /slug is empty/)
    await assertServerMatchesFiles(['!!!'])
  })

  it('leaves the map of an invalid file alone, syncs the others, and exits 5', async () => {
    sandbox().seed([{name: 'Broken', width: 1, height: 1}])
    await files({'small.map': SMALL, 'broken.map': 'Broken\n..\n.\n'})
    const r = await cli('push', '--prune')
    assert.equal(r.code, 5, r.stdout + r.stderr)
    assert.match(r.stdout + r.stderr, /broken\.map:3:/)
    await assertServerMatchesFiles(['Broken'])
    assert.ok(
      sandbox()
        .snapshot()
        .some((m) => m.name === 'Broken'),
    )
    const json = await cli('push', '--prune', '--json')
    assert.equal(json.code, 5)
  })

  it('stops with exit 7 before any write when the API major version differs', async () => {
    await files({'small.map': SMALL})
    await withSandbox({apiVersion: '2.0.0'}, async (v2) => {
      for (const extra of [[], ['--json']]) {
        // eslint-disable-next-line no-await-in-loop
        const r = await runCli(['push', ...extra, '--server', v2.url, '--maps-dir', dir])
        assert.equal(r.code, 7, r.stdout + r.stderr)
        assert.match(r.stdout + r.stderr, /2\.0\.0/)
        assert.match(r.stdout + r.stderr, /1\.0\.0/)
      }

      assert.equal(writes(v2), 0)
    })
  })

  it('exits 6 when the server cannot be reached', async () => {
    await files({'small.map': SMALL})
    const r = await runCli(['push', '--server', 'http://127.0.0.1:9', '--maps-dir', dir, '--retries', '0'])
    assert.equal(r.code, 6, r.stdout + r.stderr)
  })

  it('retries writes the server refused with 500 and ends in sync', async () => {
    await files({'fancy.map': FANCY})
    sandbox().defects.failBeforeWrite = {every: 3}
    const r = await cli('push')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    await assertServerMatchesFiles()
  })

  it('survives connections dropped after writes without duplicating anything', async () => {
    await files({'fancy.map': FANCY, 'small.map': SMALL})
    sandbox().defects.dropAfterWrite = {every: 4}
    const first = await cli('push')
    assert.ok([0, 8].includes(first.code), first.stdout + first.stderr)
    sandbox().defects.dropAfterWrite = undefined
    const second = await cli('push')
    assert.equal(second.code, 0, second.stdout + second.stderr)
    await assertServerMatchesFiles()
  })

  it('reports failed operations, skips their dependents, and exits 4', async () => {
    await files({'small.map': SMALL})
    sandbox().defects.failBeforeWrite = (w) => w.method === 'POST' && w.path === '/api/maps/'
    const r = await cli('push', '--retries', '0')
    assert.equal(r.code, 4, r.stdout + r.stderr)
    assert.match(r.stdout, /skipped/i)
    const json = await cli('push', '--retries', '0', '--json')
    assert.equal(json.code, 4)
    const doc = JSON.parse(json.stdout)
    assert.equal(doc.apply.counts.failed, 1)
    assert.ok(doc.apply.counts.skipped >= 4)
  })

  it('two pushes back to back against stale reads create no duplicate and fail no request', async () => {
    sandbox().defects.staleReadsTtlMs = 300_000
    await files({'fancy.map': FANCY, 'small.map': SMALL})
    assert.equal((await cli('push')).code, 0)
    await files({'small.map': SMALL.replace('a.#', 'a##')})
    const first = await cli('push', '--json')
    const firstDoc = JSON.parse(first.stdout)
    assert.equal(firstDoc.apply.counts.failed, 0)
    assert.equal(first.code, 8, 'the read-back is the cached answer, so it is unconfirmed')
    const second = await cli('push', '--json')
    const secondDoc = JSON.parse(second.stdout)
    assert.equal(secondDoc.apply.counts.failed, 0)
    assert.equal(secondDoc.apply.results.length, 0, 'nothing is sent again')
    assert.equal(second.code, 8)
    await assertServerMatchesFiles()
  })

  it('does not call a map in sync when the server ignores obstacle deletes (exit 8)', async () => {
    await files({'small.map': SMALL})
    assert.equal((await cli('push')).code, 0)
    sandbox().defects.ignoreObstacleDeletes = true
    await files({'small.map': SMALL.replace('a.#', 'a..')})
    const r = await cli('push')
    assert.equal(r.code, 8, r.stdout + r.stderr)
    assert.match(r.stdout, /obstacle \(2,0\) still present/)
    assert.doesNotMatch(r.stdout, /Verified: the server matches/)
  })

  it('exits 10 at once, naming the holder, while another run holds the lock; works once it is released', async () => {
    await files({'small.map': SMALL})
    const lock = await acquireLock(dir, {command: 'push'})
    try {
      for (const extra of [[], ['--json']]) {
        // eslint-disable-next-line no-await-in-loop
        const r = await cli('push', ...extra)
        assert.equal(r.code, 10, r.stdout + r.stderr)
        assert.match(r.stdout + r.stderr, new RegExp(`PID ${process.pid}`))
      }

      assert.equal(writes(sandbox()), 0)
    } finally {
      await lock.release()
    }

    const r = await cli('push')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.deepEqual((await readdir(path.join(dir, '.gridsync'))).sort(), ['journal.ndjson'], 'the lock is released')
  })

  it('keeps a journal of every run in .gridsync/: each map and operation before it is sent, outcomes, verdicts, the end', async () => {
    await files({'small.map': SMALL})
    assert.equal((await cli('push')).code, 0)
    assert.equal((await cli('push')).code, 0)
    const lines = (await readFile(path.join(dir, '.gridsync', 'journal.ndjson'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
    const kinds = lines.map((e) => e.t)
    assert.deepEqual(
      kinds.filter((t) => t === 'run' || t === 'end'),
      ['run', 'end', 'run', 'end'],
    )
    const sends = lines.filter((e) => e.t === 'send')
    assert.equal(sends.length, 5, 'the map, 2 observers and 2 obstacles; nothing on the second run')
    for (const send of sends) {
      const ack = lines.findIndex((e) => e.t === 'ack' && e.id === send.op.id)
      assert.ok(ack > lines.indexOf(send), 'each operation is recorded before its outcome')
    }

    assert.ok(lines.indexOf(lines.find((e) => e.t === 'map')) < lines.indexOf(sends[0]), "the map's starting point comes first")
    assert.deepEqual(
      lines.filter((e) => e.t === 'verify').map((e) => [e.map, e.verdict]),
      [['Small', 'confirmed']],
    )
    assert.deepEqual(
      lines.filter((e) => e.t === 'end').map((e) => e.exitCode),
      [0, 0],
    )
  })
})
