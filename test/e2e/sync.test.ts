import assert from 'node:assert/strict'
import {readFile, rm, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, it} from 'node:test'

import {useSandbox} from '../helpers/sandbox.js'
import {syncWorld} from '../helpers/sync-world.js'
import {useTempDir} from '../helpers/temp-dir.js'

/**
 * `gridsync sync`, rule by rule, against the sandbox, with its read cache on and off.
 * Every outcome is checked against the sandbox's true state and the files' bytes, never
 * against gridsync's own report alone.
 */

// CRLF line endings and a legend out of symbol order: a sync must keep both.
const ALPHA = 'Alpha\r\n#..b\r\n..a.\r\nb,Bee,2\r\na,Ay\r\n'
const BETA = 'Beta\n.#.\na..\na,Cee,1\n'

for (const cached of [true, false]) {
  describe(`gridsync sync, read cache ${cached ? 'on' : 'off'}`, () => {
    const sandbox = useSandbox()
    let dir: string
    useTempDir('gridsync-sync-', (created) => {
      dir = created
    })

    const world = syncWorld(sandbox, () => dir, cached)
    const {sync, truth, writes, mark, sentSince, assertQuiet, api, files, assertSidesEqual, settle} = world

    const start = () => world.start(ALPHA)

    it('first sync copies each side to the other; a second writes and sends nothing', async () => {
      await start()
      const first = await sync()
      assert.ok([0, 8].includes(first.code), JSON.stringify(first.doc))
      assert.deepEqual(
        first.doc.maps.map((m) => [m.name, m.action]),
        [
          ['Alpha', 'create-on-server'],
          ['Beta', 'create-file'],
        ],
      )
      assert.deepEqual((await files())['beta.map'], BETA)
      assert.equal((await files())['alpha.map'], ALPHA, 'the file sent is not rewritten')
      await assertSidesEqual()

      await settle()
      const before = writes()
      const bytes = await files()
      const second = await sync()
      assert.equal(second.code, 0, JSON.stringify(second.doc))
      assert.ok(second.doc.maps.every((m) => m.action === 'in-sync'))
      assert.equal(writes(), before, 'nothing sent')
      assert.deepEqual(await files(), bytes, 'nothing written')
    })

    it('carries an edit on each side to the other, per object, changing only the lines that changed', async () => {
      await start()
      await sync()
      await settle()
      // In the file: observer Ay moves. On the server: an obstacle is added on the same map.
      await writeFile(path.join(dir, 'alpha.map'), 'Alpha\r\n#..b\r\n...a\r\nb,Bee,2\r\na,Ay\r\n')
      assert.equal(await api('POST', '/api/maps/alpha/obstacles/', {x: 1, y: 1}), 201)
      await settle()

      const dry = await sync('--dry-run', '--exit-code')
      assert.equal(dry.code, 3)
      const alpha = dry.doc.maps.find((m) => m.name === 'Alpha')!
      assert.deepEqual(
        alpha.toServer.map((s) => [s.what, s.base, s.file, s.server]),
        [['observer "Ay"', 'at (2,1), vision unlimited', 'at (3,1), vision unlimited', 'at (2,1), vision unlimited']],
      )
      assert.deepEqual(
        alpha.toFile.map((s) => [s.what, s.file, s.server]),
        [['obstacle (1,1)', null, 'present']],
      )
      assert.equal((await files())['alpha.map'], 'Alpha\r\n#..b\r\n...a\r\nb,Bee,2\r\na,Ay\r\n', 'a dry run writes nothing')

      const run = await sync()
      assert.ok([0, 8].includes(run.code), JSON.stringify(run.doc))
      assert.equal((await files())['alpha.map'], 'Alpha\r\n#..b\r\n.#.a\r\nb,Bee,2\r\na,Ay\r\n', 'one tile changed, CRLF and the legend order kept')
      await assertSidesEqual()
      const backup = run.doc.files.find((f) => f.name === 'Alpha')?.backup
      assert.ok(backup && (await readFile(backup, 'utf8')).includes('...a'), 'the previous file is in the backup folder')
    })

    it('a conflict keeps both values and names the three; the rest of the map still syncs; --prefer resolves it', async () => {
      await start()
      await sync()
      await settle()
      await writeFile(path.join(dir, 'beta.map'), 'Beta\n.#c\n...\nc,Cee,1\n')
      assert.equal(await api('PUT', '/api/maps/beta/observers/cee/', {name: 'Cee', x: 2, y: 1, vision: 1}), 204)
      assert.equal(await api('POST', '/api/maps/beta/obstacles/', {x: 0, y: 0}), 201)
      await settle()

      const run = await sync()
      assert.equal(run.code, 4)
      const beta = run.doc.maps.find((m) => m.name === 'Beta')!
      assert.equal(beta.action, 'conflict')
      assert.deepEqual(
        beta.conflicts.map((s) => [s.what, s.base, s.file, s.server]),
        [['observer "Cee"', 'at (0,1), vision 1', 'at (2,0), vision 1', 'at (2,1), vision 1']],
      )
      assert.deepEqual((await files())['beta.map'], '##c\n...\nc,Cee,1\n'.replace(/^/, 'Beta\n'), 'the file keeps its value and takes the obstacle')
      assert.deepEqual(truth('Beta')?.observers, ['Cee@2,1/1'], 'the server keeps its value')

      await settle()
      const again = await sync()
      assert.equal(again.code, 4, 'still a conflict on the next run')
      await settle()
      const resolved = await sync('--prefer', 'remote')
      assert.ok([0, 8].includes(resolved.code), JSON.stringify(resolved.doc))
      await assertSidesEqual()
      assert.deepEqual(truth('Beta')?.observers, ['Cee@2,1/1'])
    })

    it('a map deleted on one side, unchanged on the other since the base, is deleted there too (a file moves to the backup folder)', async () => {
      await start()
      await sync()
      await settle()
      await rm(path.join(dir, 'alpha.map'))
      assert.equal(await api('DELETE', '/api/maps/beta/'), 204)
      const run = await sync()
      assert.equal(run.code, 0, JSON.stringify(run.doc))
      assert.deepEqual(
        run.doc.maps.map((m) => [m.name, m.action]),
        [
          ['Alpha', 'delete-on-server'],
          ['Beta', 'delete-file'],
        ],
      )
      assert.deepEqual(await files(), {})
      assert.deepEqual(sandbox().snapshot(), [])
      const moved = run.doc.files.find((f) => f.name === 'Beta')!
      assert.equal(await readFile(moved.backup!, 'utf8'), BETA)
    })

    it("a map renamed in its file is renamed on the server (one PUT, nothing deleted or created), merged with the server's edits", async () => {
      await start()
      await sync()
      await settle()
      // The file renames Alpha to Gamma and adds an obstacle; another client moves Bee on the server meanwhile.
      await writeFile(path.join(dir, 'alpha.map'), 'Gamma\r\n#.#b\r\n..a.\r\nb,Bee,2\r\na,Ay\r\n')
      assert.equal(await api('PUT', '/api/maps/alpha/observers/bee/', {name: 'Bee', x: 3, y: 1, vision: 2}), 204)
      await settle()
      const before = mark()
      const run = await sync()
      assert.ok([0, 8].includes(run.code), JSON.stringify(run.doc))
      const mp = run.doc.maps.find((m) => m.name === 'Gamma')!
      assert.deepEqual([mp.action, mp.renamedFrom], ['merge', 'Alpha'])
      assert.ok(!run.doc.maps.some((m) => m.name === 'Alpha'), 'the old name is the renamed map, not a map of its own')
      assert.deepEqual(sentSince(before), ['1 POST /api/maps/<map>/obstacles/', '1 PUT /api/maps/<map>/'], 'one obstacle and one rename; no map deleted or created')
      assert.equal(truth('Alpha'), undefined)
      assert.deepEqual(truth('Gamma'), {name: 'Gamma', width: 4, height: 2, observers: ['Ay@2,1/null', 'Bee@3,1/2'], obstacles: ['0,0', '2,0']})
      assert.equal((await files())['alpha.map'], 'Gamma\r\n#.#.\r\n..ab\r\nb,Bee,2\r\na,Ay\r\n', "the file keeps its name and takes the server's move")
      await assertSidesEqual()
      await assertQuiet(['Beta', 'Gamma'])
    })

    it("a map renamed on the server is renamed in its file (line 1), merged with the file's edits; nothing deleted, created or moved aside", async () => {
      await start()
      await sync()
      await settle()
      // Another client renames Alpha to Delta; the file adds an obstacle meanwhile.
      assert.equal(await api('PUT', '/api/maps/alpha/', {name: 'Delta', width: 4, height: 2}), 204)
      await writeFile(path.join(dir, 'alpha.map'), 'Alpha\r\n#.#b\r\n..a.\r\nb,Bee,2\r\na,Ay\r\n')
      await settle()
      const before = mark()
      const run = await sync()
      assert.ok([0, 8].includes(run.code), JSON.stringify(run.doc))
      const mp = run.doc.maps.find((m) => m.name === 'Delta')!
      assert.deepEqual([mp.action, mp.renamedFrom, mp.renamedOn], ['merge', 'Alpha', 'server'])
      assert.ok(!run.doc.maps.some((m) => m.name === 'Alpha'), 'the old name is the renamed map, not a map of its own')
      assert.deepEqual(sentSince(before), ['1 POST /api/maps/<map>/obstacles/'], "only the file's obstacle is sent")
      assert.deepEqual(await files(), {'alpha.map': 'Delta\r\n#.#b\r\n..a.\r\nb,Bee,2\r\na,Ay\r\n', 'beta.map': BETA}, 'line 1 takes the new name; nothing else changes')
      assert.deepEqual(
        run.doc.files.map((f) => [f.name, f.status]),
        [['Delta', 'written']],
      )
      await assertSidesEqual()
      await assertQuiet(['Beta', 'Delta'])
    })

    it('a delete the server acknowledges and does not carry out is reported on every run (exit 8), never pulled back into the file', async () => {
      await start()
      await sync()
      await settle()
      sandbox().defects.ignoreObstacleDeletes = true
      const without = 'Alpha\r\n...b\r\n..a.\r\nb,Bee,2\r\na,Ay\r\n'
      await writeFile(path.join(dir, 'alpha.map'), without)
      for (const round of [1, 2]) {
        const sent = writes()
        const run = await sync()
        assert.equal(run.code, 8, `run ${round}: ${JSON.stringify(run.doc)}`)
        assert.equal((await files())['alpha.map'], without, `run ${round}: the obstacle is not written back into the file`)
        assert.ok(truth('Alpha')!.obstacles.includes('0,0'), 'the server still holds it')
        const alpha = run.doc.maps.find((m) => m.name === 'Alpha')!
        assert.deepEqual(alpha.toFile, [], `run ${round}`)
        if (round === 2) {
          assert.match(alpha.notes.join('\n'), /\(0,0\)/, 'the refused delete is named')
          assert.equal(writes(), sent, 'a refused delete is not sent again')
        }
        await settle()
      }
    })

    it('an invalid file is never written and its map is left alone on both sides (exit 5)', async () => {
      await start()
      await sync()
      await settle()
      await writeFile(path.join(dir, 'beta.map'), 'Beta\n.#.\nc.\nc,Cee,1\n')
      assert.equal(await api('POST', '/api/maps/beta/obstacles/', {x: 2, y: 1}), 201)
      const before = writes()
      const run = await sync()
      assert.equal(run.code, 5)
      assert.equal(run.doc.maps.find((m) => m.name === 'Beta')?.action, 'invalid')
      assert.equal((await files())['beta.map'], 'Beta\n.#.\nc.\nc,Cee,1\n')
      assert.equal(writes(), before)
    })
  })
}
