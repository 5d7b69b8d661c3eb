import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {describe, it} from 'node:test'

import {loadMapsDir} from '../../src/format/index.js'
import {positionKey} from '../../src/model/types.js'
import type {Sandbox} from '../../src/sandbox/index.js'
import {BIN, runCli} from '../helpers/cli.js'
import {content} from '../helpers/maps.js'
import {useSandbox} from '../helpers/sandbox.js'
import {useTempDir} from '../helpers/temp-dir.js'

/**
 * Every claim gridsync makes about the server, checked against the sandbox's true state
 * (its data behind the cache), in the sequences of runs cron produces: the behaviours of
 * "how gridsync knows". Each runs with the sandbox's read cache on (answers up to
 * CACHE_MS old, no write clears them) and off; gridsync is told the cache time it must
 * assume (`--stale-window`), which is at least the true one, so its claims can be proven.
 */

const CACHE_MS = 3000
const WINDOW_S = '4'
/** Long enough for gridsync's window, and so the sandbox's cache, to have passed since the last write. */
const PAST_WINDOW_MS = 4300

const A = `Alpha
#..a
....
a,Al,2
`
const A_MOVED = `Alpha
#...
...a
a,Al,2
`
const A_CLEARED = `Alpha
....
...a
a,Al,2
`
const B = `Beta
.#.
b..
b,Bee
`
const B_EDITED = `Beta
.##
b..
b,Bee
`

interface Doc {
  verification?: {maps: Array<{name: string; verdict: string; differences: string[]; evidence?: {kind: string; listed: boolean; until: string | null}}>}
  maps: Array<{name: string; action: string; evidence?: {kind: string; listed: boolean}; conflicts?: Array<{object: string; known: string | null; server: string | null}>}>
  apply?: {results: Array<{outcome: string}>}
}

for (const cached of [true, false]) {
  describe(`how gridsync knows, read cache ${cached ? 'on' : 'off'}`, () => {
    const sandbox = useSandbox()
    let dir: string
    useTempDir('gridsync-truth-', (created) => {
      dir = created
    })

    const setUp = (more: Partial<Sandbox['defects']> = {}): void => {
      sandbox().defects = {...(cached ? {staleReadsTtlMs: CACHE_MS} : {}), ...more}
    }

    const files = async (entries: Record<string, string>): Promise<void> => {
      for (const [name, text] of Object.entries(entries)) await writeFile(path.join(dir, name), text)
    }

    const cli = (...args: string[]) => runCli([...args, '--server', sandbox().url, '--maps-dir', dir, '--stale-window', WINDOW_S])
    const json = async (...args: string[]): Promise<{code: number; doc: Doc; stdout: string; stderr: string}> => {
      const r = await cli(...args, '--json')
      return {...r, doc: JSON.parse(r.stdout) as Doc}
    }

    const writes = (): number =>
      Object.entries(sandbox().stats.byRoute)
        .filter(([k]) => /^(POST|PUT|DELETE) /.test(k))
        .reduce((n, [, v]) => n + v, 0)

    /** The true state of one map, behind the cache. */
    const truth = (name: string) =>
      content(
        sandbox()
          .snapshot()
          .find((m) => m.name === name),
      )

    /** The server truly holds every file, exactly, with no duplicate obstacle. */
    const assertTruthIsFiles = async (): Promise<void> => {
      const {maps} = await loadMapsDir(dir)
      for (const m of maps) assert.deepEqual(truth(m.name), content(m), `the server's "${m.name}"`)
      for (const m of sandbox().snapshot()) {
        const keys = m.obstacles.map(positionKey)
        assert.equal(new Set(keys).size, keys.length, `duplicate obstacle on ${m.name}`)
      }
    }

    /** Every map a report calls confirmed truly equals its file. */
    const assertConfirmedIsTrue = async (doc: Doc): Promise<void> => {
      const {maps} = await loadMapsDir(dir)
      for (const v of doc.verification?.maps ?? []) {
        if (v.verdict !== 'confirmed') continue
        assert.deepEqual(truth(v.name), content(maps.find((m) => m.name === v.name)), `"${v.name}" claimed confirmed`)
      }
    }

    it('1. confirmed stays confirmed: a push right after a confirmed one writes nothing and exits 0, saying what the listing is', async () => {
      setUp()
      await files({'a.map': A, 'b.map': B})
      const first = await json('push')
      assert.equal(first.code, 0, first.stdout)
      await assertTruthIsFiles()
      const before = writes()
      const again = await json('push')
      assert.equal(again.code, 0, again.stdout)
      assert.equal(writes(), before, 'nothing is written again')
      const doc = again.doc
      assert.deepEqual(
        doc.verification!.maps.map((m) => [m.name, m.verdict, m.evidence?.kind]),
        [
          ['Alpha', 'confirmed', 'read'],
          ['Beta', 'confirmed', 'read'],
        ],
      )
      await assertConfirmedIsTrue(doc)
      const text = await cli('push')
      assert.match(text.stdout, /Verified: the server matches the files \(2 maps\)/)
      if (cached) {
        // The listing was filled before the maps were made: a cached answer that does not show them,
        // for as long as the cache keeps it; the report says so.
        const listing = (await (await fetch(`${sandbox().url}/api/maps/`)).json()) as {maps: unknown[]}
        if (listing.maps.length === 0) assert.match(text.stdout, /read at \d\d:\d\d:\d\d UTC; the server's listing does not show it yet \(a cached answer\)/)
      }

      const diff = await cli('diff', '--exit-code')
      assert.equal(diff.code, 0, diff.stdout)
      assert.match(diff.stdout, /No changes: the server matches the files \(read at /)
    })

    it('2. a server that lost its data is seen as such: diff plans the creates (3), push makes them (0)', async () => {
      setUp()
      await files({'a.map': A, 'b.map': B})
      assert.equal((await cli('push')).code, 0)
      // Fill the listing's cache while the maps exist, then lose the data: the listing still shows them.
      await fetch(`${sandbox().url}/api/maps/`)
      for (const m of sandbox().snapshot()) await fetch(`${sandbox().url}/api/maps/${m.slug}/`, {method: 'DELETE'})
      assert.deepEqual(sandbox().snapshot(), [])

      const diff = await json('diff', '--exit-code')
      assert.equal(diff.code, 3, diff.stdout)
      assert.deepEqual(
        diff.doc.maps.map((m) => [m.name, m.action, m.evidence?.kind]),
        [
          ['Alpha', 'create', 'gone'],
          ['Beta', 'create', 'gone'],
        ],
      )
      const text = await cli('diff')
      assert.ok(!/matches|in sync/.test(text.stdout), text.stdout)
      assert.match(text.stdout, /its URL answers 404/)
      const push = await json('push')
      assert.equal(push.code, 0, push.stdout)
      await assertTruthIsFiles()
      await assertConfirmedIsTrue(push.doc)
    })

    it('3. one missing map never stops the run: a map deleted while the listing shows it is created again, the others sync', async () => {
      setUp()
      await files({'a.map': A, 'b.map': B})
      assert.equal((await cli('push')).code, 0)
      await fetch(`${sandbox().url}/api/maps/`)
      assert.equal((await fetch(`${sandbox().url}/api/maps/alpha/`, {method: 'DELETE'})).status, 204)
      await files({'b.map': B_EDITED})
      if (cached) await sleep(PAST_WINDOW_MS)

      const diff = await json('diff')
      assert.equal(diff.code, 0)
      assert.deepEqual(
        diff.doc.maps.map((m) => [m.name, m.action]),
        [
          ['Alpha', 'create'],
          ['Beta', 'update'],
        ],
      )
      const push = await json('push')
      assert.ok(
        push.doc.apply!.results.every((r) => r.outcome === 'applied'),
        push.stdout,
      )
      await assertTruthIsFiles()
      await assertConfirmedIsTrue(push.doc)
      assert.ok([0, 8].includes(push.code), push.stdout)
    })

    it('4. deletes the server refuses are named on every run that can prove them, exit 8, and a run that writes nothing starts no wait', async () => {
      setUp({ignoreObstacleDeletes: true})
      await files({'a.map': A})
      assert.equal((await cli('push')).code, 0)
      await files({'a.map': A_CLEARED})
      const first = await json('push')
      assert.equal(first.code, 8, first.stdout)
      // Too soon to tell: not claimed confirmed, not yet claimed refuted either.
      assert.deepEqual(
        first.doc.verification!.maps.map((m) => [m.name, m.verdict]),
        [['Alpha', 'unconfirmed']],
      )
      assert.match(first.stdout, /"until": "\d{4}-/)
      await sleep(PAST_WINDOW_MS)

      for (let run = 0; run < 3; run++) {
        const before = writes()
        const push = await json('push')
        assert.equal(push.code, 8, push.stdout)
        assert.equal(writes(), before, 'a refuted delete is never sent again')
        const alpha = push.doc.verification!.maps.find((m) => m.name === 'Alpha')!
        assert.equal(alpha.verdict, 'not-applied')
        assert.match(alpha.differences.join('\n'), /obstacle \(0,0\) still present/)
        assert.ok(truth('Alpha')!.obstacles.includes('0,0'), 'the obstacle truly is still there')
      }

      const diff = await cli('diff', '--exit-code')
      assert.equal(diff.code, 8, diff.stdout)
      assert.match(diff.stdout, /obstacle \(0,0\) still present/)
      assert.match(diff.stdout, /deletes the server refuses \("Alpha"; push --rebuild\)/)
    })

    it('5. push --rebuild deletes and recreates only the maps whose deletes are refused, and says unconfirmed until it can tell', async () => {
      setUp({ignoreObstacleDeletes: true})
      await files({'a.map': A, 'b.map': B})
      assert.equal((await cli('push')).code, 0)
      await files({'a.map': A_CLEARED})
      await cli('push')
      await sleep(PAST_WINDOW_MS)
      assert.equal((await cli('push')).code, 8)

      const diff = await json('diff', '--rebuild', '--exit-code')
      assert.equal(diff.code, 3)
      assert.deepEqual(
        diff.doc.maps.map((m) => [m.name, m.action]),
        [
          ['Alpha', 'rebuild'],
          ['Beta', 'unchanged'],
        ],
      )
      const guarded = await cli('push', '--rebuild', '--max-delete', '0')
      assert.equal(guarded.code, 9, guarded.stdout)
      assert.match(guarded.stderr + guarded.stdout, /deletes 1 of the 2 maps/)

      const betaBefore = sandbox().stats.byRoute['DELETE /api/maps/<map>/'] ?? 0
      const rebuild = await json('push', '--rebuild')
      assert.equal(sandbox().stats.byRoute['DELETE /api/maps/<map>/'], betaBefore + 1, 'one map deleted')
      await assertTruthIsFiles()
      const alpha = rebuild.doc.verification!.maps.find((m) => m.name === 'Alpha')!
      await assertConfirmedIsTrue(rebuild.doc)
      if (cached && alpha.verdict !== 'confirmed') {
        // The recreated map reads as the old one while the cache keeps its old answer: unconfirmed until the cache time has passed.
        assert.equal(alpha.verdict, 'unconfirmed')
        assert.match(alpha.differences.join('\n'), /obstacle \(0,0\) still present/, 'the answer shown is the old map')
        assert.equal(rebuild.code, 8)
        await sleep(PAST_WINDOW_MS)
      } else {
        // No cache (or its old answer had expired before the read-back): the new map is read as it is.
        assert.equal(alpha.verdict, 'confirmed')
      }

      const settled = await json('push')
      assert.equal(settled.code, 0, settled.stdout)
      await assertConfirmedIsTrue(settled.doc)
    })

    it('5. a push --rebuild killed halfway is completed by the next runs, without loss or duplicates', async () => {
      setUp({ignoreObstacleDeletes: true})
      const rows = Array.from({length: 8}, (_, y) => Array.from({length: 20}, (_, x) => ((x + y) % 3 === 0 ? '#' : '.')).join(''))
      const big = `Big\n${rows.join('\n')}\n`
      await files({'big.map': big})
      assert.equal((await cli('push')).code, 0)
      await files({'big.map': big.replace('#', '.')})
      await cli('push')
      await sleep(PAST_WINDOW_MS)
      assert.equal((await cli('push')).code, 8, 'the delete is refuted')

      sandbox().defects.latencyMs = 15
      const journal = path.join(dir, '.gridsync', 'journal.ndjson')
      const sends = async (): Promise<number> => readFile(journal, 'utf8').then((t) => t.split('\n').filter((l) => l.includes('"t":"send"')).length)
      const sentBefore = await sends()
      const args = ['push', '--rebuild', '--server', sandbox().url, '--maps-dir', dir, '--stale-window', WINDOW_S, '--concurrency', '2']
      const child = spawn(process.execPath, [BIN, ...args], {env: {...process.env, NO_COLOR: '1'}, stdio: 'ignore'})
      const ended = new Promise((resolve) => child.once('exit', resolve))
      for (let i = 0; i < 500 && (await sends()) < sentBefore + 12; i++) await sleep(20)
      child.kill('SIGKILL')
      await ended
      sandbox().defects.latencyMs = 0

      const next = await json('push')
      assert.match(next.stdout, /ended without finishing/)
      assert.ok([0, 8].includes(next.code), next.stdout)
      await assertConfirmedIsTrue(next.doc)
      // Operations recorded before the kill count as done until a trusted read shows them
      // lost; each round past the cache time sends what is missing, until a read confirms it.
      let last = next
      for (let round = 0; round < 3 && last.code !== 0; round++) {
        await sleep(PAST_WINDOW_MS)
        last = await json('push')
        await assertConfirmedIsTrue(last.doc)
        assert.ok([0, 8].includes(last.code), last.stdout)
      }

      assert.equal(last.code, 0, last.stdout)
      await assertTruthIsFiles()
    })

    it('6. conflicts by one rule: any change on the server gridsync did not make, whoever made the object; --force overrides', async () => {
      setUp()
      await files({'a.map': A, 'b.map': B})
      assert.equal((await cli('push')).code, 0)
      // Another client moves the observer gridsync created, and adds an obstacle to the other map.
      assert.equal(
        (
          await fetch(`${sandbox().url}/api/maps/alpha/observers/al/`, {
            method: 'PUT',
            headers: {'content-type': 'application/json'},
            body: JSON.stringify({name: 'Al', x: 1, y: 1, vision: 2}),
          })
        ).status,
        204,
      )
      assert.equal(
        (await fetch(`${sandbox().url}/api/maps/beta/obstacles/`, {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({x: 2, y: 1})})).status,
        201,
      )
      // Within the cache time after gridsync's writes, a stale read is never a conflict. With the
      // cache on, the answers are the cached ones that show gridsync's writes (the edits are not
      // seen yet: what any client of such a server gets); with it off, the answers show edits
      // gridsync cannot yet tell from its own writes lost: not confirmed.
      const before = writes()
      const soon = await json('push')
      assert.ok(!soon.doc.maps.some((m) => m.action === 'conflict'), soon.stdout)
      assert.equal(writes(), before)
      if (!cached) assert.ok(!soon.doc.verification!.maps.some((m) => m.verdict === 'confirmed'), soon.stdout)
      await sleep(PAST_WINDOW_MS)

      await files({'a.map': A_MOVED, 'b.map': B_EDITED})
      const diff = await json('diff', '--exit-code')
      assert.equal(diff.code, 4, JSON.stringify(diff.doc.maps))
      const alpha = diff.doc.maps.find((m) => m.name === 'Alpha')!
      assert.equal(alpha.action, 'conflict')
      assert.deepEqual(alpha.conflicts, [{object: 'observer "Al"', known: 'at (3,0), vision 2', server: 'at (1,1), vision 2'}])
      assert.deepEqual(diff.doc.maps.find((m) => m.name === 'Beta')!.conflicts, [{object: 'obstacle (2,1)', known: null, server: 'present'}])

      const push = await json('push')
      assert.equal(push.code, 4, push.stdout)
      assert.deepEqual(truth('Alpha')!.observers, ['Al@1,1/2'], "the other client's edit is left alone")
      const forced = await json('push', '--force')
      await assertTruthIsFiles()
      await assertConfirmedIsTrue(forced.doc)
      if (cached && forced.code !== 0) {
        // Overwritten, but the cached answers cannot show it yet (unless the cache expired before the read-back).
        assert.equal(forced.code, 8, forced.stdout)
        await sleep(PAST_WINDOW_MS)
        assert.equal((await cli('push')).code, 0)
      } else {
        assert.equal(forced.code, 0, forced.stdout)
      }
    })

    it('7. words that cannot lie: "matches" never with a conflict, an unconfirmed map or an empty directory', async () => {
      setUp()
      const empty = await cli('diff', '--exit-code')
      assert.ok(!/matches|in sync|verified/i.test(empty.stdout), empty.stdout)
      await files({'a.map': A})
      await cli('push')
      await files({'a.map': A_MOVED})
      const push = await cli('push')
      const diff = await cli('diff', '--exit-code')
      if (cached) {
        // The read-back gets the cached answer from before the writes (unless it expired meanwhile on a slow machine).
        assert.ok([0, 8].includes(push.code), push.stdout)
        if (push.code === 8) assert.ok(!/matches/.test(push.stdout), push.stdout)
        // Until the cache time has passed since the push (a diff on a slow machine may come later).
        if (diff.code !== 0) {
          assert.equal(diff.code, 8, diff.stdout)
          assert.match(diff.stdout, /Nothing to send, but the server is not known to match the files: 1 map not confirmed until \d\d:\d\d:\d\d UTC \("Alpha"\)/)
        }
      } else {
        assert.equal(push.code, 0, push.stdout)
        assert.equal(diff.code, 0, diff.stdout)
      }

      await assertTruthIsFiles()
    })

    it('8. the log shows what happened on the wire: final statuses, and the evidence behind each verdict', async () => {
      setUp()
      await files({'a.map': A})
      const r = await cli('push', '--log-format', 'json')
      assert.equal(r.code, 0, r.stderr)
      const events = r.stderr
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
      const ops = events.filter((e) => e.event === 'operation')
      assert.ok(ops.length > 0)
      for (const e of ops) assert.ok(e.status === 201 || e.status === 204, JSON.stringify(e))
      const verify = events.find((e) => e.event === 'verify')!
      assert.equal(verify.evidence, 'read')
      assert.match(String(verify.evidenceAt), /^\d{4}-\d\d-\d\dT/)
    })
  })
}
