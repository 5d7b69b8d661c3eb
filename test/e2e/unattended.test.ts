import assert from 'node:assert/strict'
import {spawn} from 'node:child_process'
import {readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, it} from 'node:test'

import {loadMapsDir} from '../../src/format/index.js'
import {positionKey} from '../../src/model/types.js'
import {BIN, runCli} from '../helpers/cli.js'
import {content, FANCY, SMALL} from '../helpers/maps.js'
import {useSandbox} from '../helpers/sandbox.js'
import {useTempDir} from '../helpers/temp-dir.js'

/** A map with many obstacles, so that a push takes long enough to be killed halfway. */
function bigMap(): string {
  const rows = Array.from({length: 8}, (_, y) => Array.from({length: 20}, (_, x) => ((x + y) % 3 === 0 ? '#' : '.')).join(''))
  return `Big\n${rows.join('\n')}\n`
}

describe('unattended runs: conflicts, refuted writes, killed runs', () => {
  const sandbox = useSandbox()
  let dir: string
  useTempDir('gridsync-unattended-', (created) => {
    dir = created
  })

  const cli = (...args: string[]) => runCli([...args, '--server', sandbox().url, '--maps-dir', dir])
  /** For a server known not to cache reads: its answers are current at once. */
  const fresh = (...args: string[]) => cli(...args, '--stale-window', '0')
  const serverWrite = (method: string, pathname: string, body?: unknown) =>
    fetch(`${sandbox().url}${pathname}`, {method, headers: {'content-type': 'application/json'}, body: body === undefined ? undefined : JSON.stringify(body)})

  const assertServerMatchesFiles = async (): Promise<void> => {
    const {maps} = await loadMapsDir(dir)
    const server = sandbox().snapshot()
    const byName = (a: {name: string}, b: {name: string}) => a.name.localeCompare(b.name)
    assert.deepEqual(server.sort(byName).map(content), [...maps].sort(byName).map(content))
    for (const m of server) {
      const keys = m.obstacles.map(positionKey)
      assert.equal(new Set(keys).size, keys.length, `duplicate obstacle on ${m.name}`)
    }
  }

  it('reports a map someone else changed as a conflict and leaves it alone (exit 4) unless --force', async () => {
    await writeFile(path.join(dir, 'small.map'), SMALL)
    await writeFile(path.join(dir, 'fancy.map'), FANCY)
    assert.equal((await fresh('push')).code, 0)
    // Someone else adds an obstacle to Small through the API; the file adds another.
    assert.equal((await serverWrite('POST', '/api/maps/small/obstacles/', {x: 0, y: 1})).status, 201)
    await writeFile(path.join(dir, 'small.map'), SMALL.replace('a.#', 'a##'))
    await writeFile(path.join(dir, 'fancy.map'), FANCY.replace('............', '...........#'))

    const diff = await fresh('diff', '--json')
    const doc = JSON.parse(diff.stdout)
    assert.equal(doc.maps.find((m: {name: string}) => m.name === 'Small').action, 'conflict')
    assert.deepEqual(doc.maps.find((m: {name: string}) => m.name === 'Small').conflicts, [{object: 'obstacle (0,1)', known: null, server: 'present'}])

    const push = await fresh('push')
    assert.equal(push.code, 4, push.stdout + push.stderr)
    assert.match(push.stdout, /conflict/)
    const small = sandbox()
      .snapshot()
      .find((m) => m.name === 'Small')!
    assert.ok(!small.obstacles.some((p) => p.x === 1 && p.y === 0), 'the conflicting map was not written')
    assert.ok(
      sandbox()
        .snapshot()
        .find((m) => m.name === 'Fancy Map')!
        .obstacles.some((p) => p.x === 11 && p.y === 0),
      'other maps were',
    )

    const forced = await fresh('push', '--force')
    assert.equal(forced.code, 0, forced.stdout + forced.stderr)
    await assertServerMatchesFiles()
  })

  it("takes someone else's edit as the new baseline once the file agrees with it: later edits are no conflict", async () => {
    await writeFile(path.join(dir, 'small.map'), SMALL)
    assert.equal((await fresh('push')).code, 0)
    assert.equal((await serverWrite('POST', '/api/maps/small/obstacles/', {x: 0, y: 1})).status, 201)
    await writeFile(path.join(dir, 'small.map'), SMALL.replace('.#b', '##b'))
    assert.equal((await fresh('push')).code, 0, 'the file took the edit over: nothing to do')
    await writeFile(path.join(dir, 'small.map'), SMALL.replace('.#b', '##b').replace('a.#', 'a##'))
    const r = await fresh('push')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    await assertServerMatchesFiles()
  })

  it('stops at a damaged journal with exit 11, naming its file and line, before anything is sent', async () => {
    await writeFile(path.join(dir, 'small.map'), SMALL)
    assert.equal((await cli('push')).code, 0)
    const journal = path.join(dir, '.gridsync', 'journal.ndjson')
    const lines = (await readFile(journal, 'utf8')).split('\n')
    lines[1] = '{"t":"map","run":'
    await writeFile(journal, lines.join('\n'))
    await writeFile(path.join(dir, 'small.map'), SMALL.replace('a.#', 'a##'))
    sandbox().resetStats()
    for (const command of ['diff', 'push']) {
      const r = await cli(command)
      assert.equal(r.code, 11, r.stdout + r.stderr)
      assert.match(r.stderr, /journal\.ndjson:2: not JSON\. Move the file aside to go on/)
    }

    assert.equal(sandbox().stats.byRoute['POST /api/maps/<map>/obstacles/'] ?? 0, 0, 'nothing sent')
  })

  it('does not re-send a delete the server acknowledged but ignored, and says so (exit 8) on every run', async () => {
    await writeFile(path.join(dir, 'small.map'), SMALL)
    assert.equal((await cli('push')).code, 0)
    sandbox().defects.ignoreObstacleDeletes = true
    await writeFile(path.join(dir, 'small.map'), SMALL.replace('a.#', 'a..'))
    assert.equal((await cli('push')).code, 8)

    for (let run = 0; run < 2; run++) {
      sandbox().resetStats()
      // eslint-disable-next-line no-await-in-loop
      const r = await cli('push', '--stale-window', '0')
      assert.equal(r.code, 8, r.stdout + r.stderr)
      assert.match(r.stdout, /obstacle \(2,0\) still present: an earlier delete was acknowledged/)
      assert.equal(sandbox().stats.byRoute['DELETE /api/maps/<map>/obstacles/<x>/<y>/'] ?? 0, 0, 'not sent again')
    }
  })

  for (const staleReads of [false, true]) {
    it(`a push killed halfway is completed by the next runs without duplicates${staleReads ? ', with stale reads' : ''}`, async () => {
      await writeFile(path.join(dir, 'big.map'), bigMap())
      sandbox().defects.latencyMs = 15
      if (staleReads) sandbox().defects.staleReadsTtlMs = 300_000
      const journal = path.join(dir, '.gridsync', 'journal.ndjson')
      const child = spawn(process.execPath, [BIN, 'push', '--server', sandbox().url, '--maps-dir', dir, '--concurrency', '2'], {
        env: {...process.env, NO_COLOR: '1'},
        stdio: 'ignore',
      })
      let exited = false
      child.once('exit', () => {
        exited = true
      })
      // Kill it once a dozen operations have been recorded.
      for (;;) {
        assert.ok(!exited, 'the push ended before it could be killed')
        // eslint-disable-next-line no-await-in-loop
        const sent = await readFile(journal, 'utf8').then(
          (t) => t.split('\n').filter((l) => l.includes('"t":"send"')).length,
          () => 0,
        )
        if (sent >= 12) break
        // eslint-disable-next-line no-await-in-loop
        await new Promise((resolve) => setTimeout(resolve, 20))
      }

      const ended = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await ended
      sandbox().defects.latencyMs = 0

      const second = await cli('push', '--json')
      assert.ok([0, 8].includes(second.code), second.stdout + second.stderr)
      assert.match(second.stdout, /ended without finishing/)
      assert.equal(JSON.parse(second.stdout).apply.counts.failed, 0)
      // Once the server's answers can be trusted again (its cache gone), a last run fills in anything lost.
      sandbox().defects.staleReadsTtlMs = undefined
      sandbox().clearCache()
      const third = await cli('push', '--stale-window', '0')
      assert.equal(third.code, 0, third.stdout + third.stderr)
      await assertServerMatchesFiles()
    })
  }
})
