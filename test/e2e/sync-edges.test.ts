import assert from 'node:assert/strict'
import {execFileSync} from 'node:child_process'
import {constants, rmSync} from 'node:fs'
import {type FileHandle, open, readdir, readFile, rm, stat, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'
import {describe, it} from 'node:test'

import {loadMapsDir} from '../../src/format/index.js'
import {symbolSequence} from '../../src/format/symbols.js'
import {positionKey} from '../../src/model/types.js'
import {content} from '../helpers/maps.js'
import {spawnCli} from '../helpers/processes.js'
import {useSandbox} from '../helpers/sandbox.js'
import {NO_PROXY, syncWorld, windowOf} from '../helpers/sync-world.js'
import {useTempDir} from '../helpers/temp-dir.js'

/**
 * The edges of `gridsync sync`: a run killed halfway, the delete guard both ways, and a
 * map on the server that the file format cannot express. The built CLI against the
 * sandbox, with its read cache on and off; every outcome is checked against the
 * sandbox's true state and the files on disk, never against gridsync's report alone.
 */

const ALPHA = 'Alpha\n#..b\n..a.\nb,Bee,2\na,Ay\n'
const BETA = 'Beta\n.#.\na..\na,Cee,1\n'

for (const cached of [true, false]) {
  describe(`gridsync sync at its edges, read cache ${cached ? 'on' : 'off'}`, () => {
    const sandbox = useSandbox()
    let dir: string
    useTempDir('gridsync-sync-edges-', (created) => {
      dir = created
    })

    const world = syncWorld(sandbox, () => dir, cached)
    const {cli, sync, truth, truthNames, writes, api, files, assertSidesEqual, settle} = world

    /** Every map file's bytes and modification time. */
    const fileStamps = async (): Promise<Record<string, {text: string; mtimeMs: number}>> => {
      const out: Record<string, {text: string; mtimeMs: number}> = {}
      for (const name of await readdir(dir)) {
        if (!name.endsWith('.map')) continue
        const file = path.join(dir, name)
        out[name] = {text: await readFile(file, 'utf8'), mtimeMs: (await stat(file)).mtimeMs}
      }
      return out
    }

    /** No map on the server holds an obstacle twice, and no observer name is there twice. */
    const assertNoDuplicates = (): void => {
      const names: string[] = []
      for (const m of sandbox().snapshot()) {
        const keys = m.obstacles.map(positionKey)
        assert.equal(new Set(keys).size, keys.length, `a duplicate obstacle on "${m.name}": ${keys.join(' ')}`)
        names.push(...m.observers.map((o) => o.name))
      }
      assert.equal(new Set(names).size, names.length, `a duplicate observer: ${names.join(', ')}`)
    }

    /** alpha.map only in the files, Beta only on the server. */
    const start = () => world.start(ALPHA)

    /** start(), a first sync, and the cache time passed: both sides hold Alpha and Beta, and the base records them. */
    const synced = async (): Promise<void> => {
      await start()
      const first = await sync()
      assert.ok([0, 8].includes(first.code), first.stdout)
      await assertSidesEqual()
      await settle()
    }

    describe('a sync killed halfway', () => {
      // Edits in the files: Ay moves and two obstacles are added on Alpha; an obstacle is added on Beta (4 writes to send).
      const ALPHA_EDITED = 'Alpha\n###b\n...a\nb,Bee,2\na,Ay\n'
      const BETA_EDITED = 'Beta\n.#.\na.#\na,Cee,1\n'
      const FILE_EDITS = 4
      // Edits on the server by another client, on other objects: an obstacle and Bee's vision on Alpha, a new observer on Beta.
      const serverEdits = async (): Promise<void> => {
        assert.equal(await api('POST', '/api/maps/alpha/obstacles/', {x: 0, y: 1}), 201)
        assert.equal(await api('PUT', '/api/maps/alpha/observers/bee/', {name: 'Bee', x: 3, y: 0, vision: 5}), 204)
        assert.equal(await api('POST', '/api/maps/beta/observers/', {name: 'Dot', x: 2, y: 0, vision: 3}), 201)
      }
      // Both sides once the sync is done: each side's edits, once; the files keep their symbols and legend order.
      const ALPHA_SYNCED = 'Alpha\n###b\n#..a\nb,Bee,5\na,Ay\n'
      const BETA_SYNCED = 'Beta\n.#b\na.#\na,Cee,1\nb,Dot,3\n'

      /** No edit of either side is undone, on the server or in the files, and nothing is there twice: checked after every run. */
      const assertNothingReverted = async (): Promise<void> => {
        assertNoDuplicates()
        const alpha = truth('Alpha')!
        const beta = truth('Beta')!
        assert.ok(alpha.obstacles.includes('0,1'), "the server keeps the other client's obstacle")
        assert.ok(alpha.observers.includes('Bee@3,0/5'), `the server keeps the other client's vision of Bee: ${alpha.observers.join(' ')}`)
        assert.ok(beta.observers.includes('Dot@2,0/3'), "the server keeps the other client's observer")
        const {maps, invalid} = await loadMapsDir(dir)
        assert.deepEqual(invalid, [])
        const a = content(maps.find((m) => m.name === 'Alpha'))!
        const b = content(maps.find((m) => m.name === 'Beta'))!
        assert.ok(a.observers.includes('Ay@3,1/null') && ['1,0', '2,0'].every((p) => a.obstacles.includes(p)), `alpha.map keeps its edits: ${JSON.stringify(a)}`)
        assert.ok(b.obstacles.includes('2,1'), `beta.map keeps its edit: ${JSON.stringify(b)}`)
      }

      /** Writes the sandbox carried out (answered 2xx, whether or not the answer arrived). */
      const carriedOut = (): number =>
        Object.entries(sandbox().stats.succeeded)
          .filter(([k]) => /^(POST|PUT|DELETE) /.test(k))
          .reduce((n, [, v]) => n + v, 0)

      /**
       * Runs `gridsync sync` in a process of its own and SIGKILLs it when `killAt` says so, as
       * the sandbox sees each request arrive (`writes`: the writes that arrived so far,
       * this one included; `done`: those carried out), or when `meanwhile` calls `kill`.
       * The request being answered is still carried out, its answer never reaching the run.
       * Resolves once the run has ended and the sandbox is idle.
       */
      const killedSync = async (opts: {
        killAt?: (request: {method: string}, count: {writes: number; done: number}) => boolean
        meanwhile?: (kill: () => void, running: () => boolean) => Promise<void>
      }): Promise<void> => {
        const doneBefore = carriedOut()
        let writesSeen = 0
        let killed = false
        let kill = (): void => {}
        sandbox().defects.outage = (request) => {
          if (request.method !== 'GET') writesSeen++
          if (!killed && opts.killAt?.(request, {writes: writesSeen, done: carriedOut() - doneBefore})) kill()
          return false
        }
        const run = spawnCli(['sync', '--json', '--server', sandbox().url, '--maps-dir', dir, '--stale-window', windowOf(cached)], {env: NO_PROXY})
        kill = () => {
          killed = true
          run.child.kill('SIGKILL')
        }
        const running = (): boolean => run.child.exitCode === null && run.child.signalCode === null
        const side = opts.meanwhile?.(kill, running)
        try {
          const r = await run.result
          assert.ok(killed, `the run ended (exit ${r.code}) before it was to be killed: ${r.stdout}${r.stderr}`)
          assert.equal(run.child.signalCode, 'SIGKILL')
          await side
        } finally {
          delete sandbox().defects.outage
          await sandbox().idle()
        }
      }

      /** Runs sync until it exits 0 (at most 4 runs, the cache time passing before each but the first), checking each. */
      const syncUntilDone = async (): Promise<void> => {
        for (let round = 1; ; round++) {
          const run = await sync()
          assert.ok([0, 8].includes(run.code), `run ${round} after the kill, exit ${run.code}: ${run.stdout}`)
          if (round === 1) {
            assert.match(run.stderr, /took over a stale lock left by gridsync sync \(PID \d+ .*that process no longer runs/, 'the killed run held the lock')
            assert.match(run.doc.warnings[0] ?? '', /^An earlier gridsync sync \(started .*\) ended without finishing/, 'the journal names the killed run')
          }
          await assertNothingReverted()
          if (run.code === 0) return
          assert.ok(round < 4, `not done after ${round} runs: ${run.stdout}`)
          await settle()
        }
      }

      /** Both sides hold both edits; a further sync (past the cache time) sends nothing and writes no file. */
      const assertDone = async (): Promise<void> => {
        assert.deepEqual(await files(), {'alpha.map': ALPHA_SYNCED, 'beta.map': BETA_SYNCED})
        await assertSidesEqual()
        assertNoDuplicates()
        await settle()
        const stamps = await fileStamps()
        const sent = writes()
        const again = await sync()
        assert.equal(again.code, 0, again.stdout)
        assert.deepEqual(
          again.doc.maps.map((m) => [m.name, m.action]),
          [
            ['Alpha', 'in-sync'],
            ['Beta', 'in-sync'],
          ],
        )
        assert.equal(writes(), sent, 'nothing sent')
        assert.deepEqual(await fileStamps(), stamps, 'no file written')
      }

      /** Both sides synced, then edited: the files by the user, the server by another client. */
      const edit = async (): Promise<void> => {
        await synced()
        await writeFile(path.join(dir, 'alpha.map'), ALPHA_EDITED)
        await writeFile(path.join(dir, 'beta.map'), BETA_EDITED)
        await serverEdits()
        // The run to be killed sees the other client's edits, not an answer cached before them.
        await settle()
      }

      it('killed as its second write reaches the server (carried out, its answer lost): the next runs finish it, each edit once', async () => {
        await edit()
        await killedSync({killAt: (request, count) => request.method !== 'GET' && count.writes === 2})
        assert.ok(carriedOut() >= 2, 'the server carried out writes of the killed run')
        assert.deepEqual(await files(), {'alpha.map': ALPHA_EDITED, 'beta.map': BETA_EDITED}, 'no file was written yet')
        await assertNothingReverted()
        await syncUntilDone()
        await assertDone()
      })

      it('killed at its read-back, every write carried out, no file written yet: the next runs write the files and send nothing again', async () => {
        await edit()
        const sent = writes()
        await killedSync({killAt: (request, count) => request.method === 'GET' && count.done === FILE_EDITS})
        assert.equal(writes(), sent + FILE_EDITS, 'the killed run sent each edit of the files once')
        assert.deepEqual(await files(), {'alpha.map': ALPHA_EDITED, 'beta.map': BETA_EDITED}, 'no file was written yet')
        await assertNothingReverted()
        await syncUntilDone()
        assert.equal(writes(), sent + FILE_EDITS, 'nothing was sent again')
        await assertDone()
      })

      it('killed after writing the files, before its base: what it wrote from the server is never taken for an edit of the file, not even once the other client changes it again', async () => {
        await edit()
        const base = path.join(dir, '.gridsync', 'sync-base.json')
        const alphaFile = path.join(dir, 'alpha.map')
        const oldBase = await readFile(base, 'utf8')
        const sent = writes()
        // After the read-back the run reads its base, records what the files are to say, writes the files (reading
        // each first) and reads its base again to replace it. FIFOs in the base's and in alpha.map's place hold the
        // run at each of those reads in turn, so that it is killed at the last: its files written, its base not.
        let fifo = false
        let pendingBase = ''
        const reader = async (file: string): Promise<FileHandle | undefined> =>
          open(file, constants.O_WRONLY | constants.O_NONBLOCK).catch((error: NodeJS.ErrnoException) => {
            if (error.code === 'ENXIO') return undefined
            throw error
          })
        await killedSync({
          killAt: (request, count) => {
            if (!fifo && request.method === 'GET' && count.done === FILE_EDITS) {
              rmSync(base)
              execFileSync('mkfifo', [base])
              rmSync(alphaFile)
              execFileSync('mkfifo', [alphaFile])
              fifo = true
            }
            return false
          },
          meanwhile: async (kill, running) => {
            const waitFor = async <T>(ready: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> => {
              for (;;) {
                const value = await ready()
                if (value) return value
                assert.ok(running(), `the run ended before ${what}`)
                await sleep(10)
              }
            }
            await waitFor(() => fifo, 'its read-back')
            let writer = await waitFor(() => reader(base), 'it read its base after the read-back')
            await writer.writeFile(oldBase)
            await writer.close()
            // It reads alpha.map before replacing it: by then it has recorded what the files are to say.
            writer = await waitFor(() => reader(alphaFile), 'it read alpha.map to write it')
            pendingBase = await readFile(base, 'utf8')
            rmSync(base)
            execFileSync('mkfifo', [base])
            await writer.writeFile(ALPHA_EDITED)
            await writer.close()
            const last = await waitFor(() => reader(base), 'it read its base to replace it')
            kill()
            await last.close()
          },
        })
        // What the kill leaves: the files written, the base as recorded before them.
        await rm(base)
        await writeFile(base, pendingBase)
        assert.match(pendingBase, /"pending"/, 'what the files were to say is recorded before they are written')
        assert.deepEqual(await files(), {'alpha.map': ALPHA_SYNCED, 'beta.map': BETA_SYNCED}, 'the killed run wrote both files')
        assert.equal(writes(), sent + FILE_EDITS, 'the killed run sent each edit of the files once')
        await assertNothingReverted()

        // The other client changes again what the killed run wrote into alpha.map from the server.
        assert.equal(await api('DELETE', '/api/maps/alpha/obstacles/0/1/'), 204)
        assert.equal(await api('PUT', '/api/maps/alpha/observers/bee/', {name: 'Bee', x: 3, y: 0, vision: 7}), 204)
        await settle()
        const sentBefore = writes()
        for (let round = 1; ; round++) {
          const run = await sync()
          assert.ok([0, 8].includes(run.code), `run ${round} after the kill, exit ${run.code}: ${run.stdout}`)
          if (round === 1) assert.match(run.stderr, /took over a stale lock left by gridsync sync/, 'the killed run held the lock')
          assert.equal(writes(), sentBefore, `run ${round} sends nothing: the file's content from the server is no edit of the file`)
          if (run.code === 0) break
          assert.ok(round < 4, `not done after ${round} runs: ${run.stdout}`)
          await settle()
        }
        assert.deepEqual(await files(), {'alpha.map': 'Alpha\n###b\n...a\nb,Bee,7\na,Ay\n', 'beta.map': BETA_SYNCED}, "the other client's new edits are in the file")
        await assertSidesEqual()
        assertNoDuplicates()
      })
    })

    describe('a map on the server that the file format cannot express', () => {
      /** Maps another client makes on the server, each of them impossible to write as a file, and why. */
      const inexpressible = async (): Promise<Record<string, RegExp>> => {
        // Two observers on one tile.
        assert.equal(await api('POST', '/api/maps/', {name: 'Crowd', width: 3, height: 1}), 201)
        assert.equal(await api('POST', '/api/maps/crowd/observers/', {name: 'Pip', x: 0, y: 0}), 201)
        assert.equal(await api('POST', '/api/maps/crowd/observers/', {name: 'Pop', x: 0, y: 0, vision: 2}), 201)
        // An observer outside the map, once the map is made smaller (the server does not check).
        assert.equal(await api('POST', '/api/maps/', {name: 'Shrunk', width: 3, height: 3}), 201)
        assert.equal(await api('POST', '/api/maps/shrunk/observers/', {name: 'Edge', x: 2, y: 2}), 201)
        assert.equal(await api('PUT', '/api/maps/shrunk/', {name: 'Shrunk', width: 2, height: 2}), 204)
        // A map name that line 1 of a file cannot hold.
        assert.equal(await api('POST', '/api/maps/', {name: 'Two\nLines', width: 2, height: 1}), 201)
        // More observers than the grid has symbols for.
        const symbols = symbolSequence().length
        const side = Math.ceil(Math.sqrt(symbols + 1))
        assert.equal(await api('POST', '/api/maps/', {name: 'Many', width: side, height: side}), 201)
        for (let i = 0; i <= symbols; i++) {
          assert.equal(await api('POST', '/api/maps/many/observers/', {name: `Many ${i}`, x: i % side, y: Math.floor(i / side)}), 201)
        }
        return {
          Crowd: /observers "Pip" and "Pop" stand on the same tile \(0,0\)/,
          Shrunk: /observer "Edge" at \(2,2\) is outside the 2x2 map/,
          'Two\nLines': /the map name "Two\nLines" contains a line break/,
          Many: new RegExp(`the map has ${symbols + 1} observers but only ${symbols} symbols are available for the grid`),
        }
      }

      it('is reported with its name and why, and left alone on both sides (exit 4); the other maps still sync', async () => {
        await start()
        const reasons = await inexpressible()
        const names = Object.keys(reasons)
        const held = () =>
          sandbox()
            .snapshot()
            .filter((m) => names.includes(m.name))
        const before = held()
        assert.equal(before.length, names.length)

        for (const round of [1, 2]) {
          const sent = writes()
          const run = await sync()
          assert.equal(run.code, 4, `run ${round}: ${run.stdout}`)
          assert.equal(run.doc.exitCode, 4)
          for (const [name, why] of Object.entries(reasons)) {
            const mp = run.doc.maps.find((m) => m.name === name)
            assert.ok(mp, `run ${round}: "${name}" is in the report`)
            assert.equal(mp.action, 'conflict', `run ${round}: "${name}": ${JSON.stringify(mp)}`)
            assert.match(mp.notes.join('\n'), why, `run ${round}: "${name}"`)
            assert.match(mp.notes.join('\n'), /no file can hold it/)
            assert.ok(!run.doc.files.some((f) => f.name === name), `run ${round}: no file is written for "${name}"`)
          }
          const text = await cli('sync', '--dry-run')
          for (const [name, why] of Object.entries(reasons)) {
            assert.ok(text.stdout.includes(`! ${name}  conflict`), `the report names "${name}": ${text.stdout}`)
            assert.match(text.stdout, why)
          }

          // Nothing of theirs is written into a file, or changed or deleted on the server.
          assert.deepEqual(Object.keys(await files()).sort(), ['alpha.map', 'beta.map'], `run ${round}`)
          assert.deepEqual(held(), before, `run ${round}: the server's maps are as the other client left them`)
          assert.deepEqual(truthNames(), [...names, 'Alpha', 'Beta'].sort())
          // The other maps sync: Alpha is created on the server, Beta written into a file (on the first run; the second has nothing to do).
          assert.deepEqual(truth('Alpha'), content((await loadMapsDir(dir)).maps.find((m) => m.name === 'Alpha')))
          assert.equal((await files())['beta.map'], BETA)
          if (round === 2) assert.equal(writes(), sent, 'the second run sends nothing')
          await settle()
        }

        // Once the other client makes one expressible, the next sync writes its file.
        assert.equal(await api('PUT', '/api/maps/crowd/observers/pop/', {name: 'Pop', x: 2, y: 0, vision: 2}), 204)
        await settle()
        const fixed = await sync()
        assert.equal(fixed.code, 4, 'the other three are still left alone')
        assert.equal(fixed.doc.maps.find((m) => m.name === 'Crowd')?.action, 'create-file')
        assert.equal((await files())['crowd.map'], 'Crowd\na.b\na,Pip\nb,Pop,2\n')
      })
    })

    describe('--max-delete', () => {
      const GAMMA = 'Gamma\n..\nc.\nc,Gus\n'

      it('counts deletes both ways: over the limit it exits 9 and deletes nothing on either side; --yes carries them out', async () => {
        await start()
        await writeFile(path.join(dir, 'gamma.map'), GAMMA)
        const first = await sync()
        assert.ok([0, 8].includes(first.code), first.stdout)
        await assertSidesEqual()
        await settle()

        // A file deleted since the base: its map is to be deleted on the server.
        await rm(path.join(dir, 'alpha.map'))
        const before = writes()
        const one = await cli('sync', '--max-delete', '0')
        assert.equal(one.code, 9, one.stdout + one.stderr)
        assert.match(one.stderr, /The sync deletes 1 maps \("Alpha"\), on the server or in files, more than --max-delete allows \(0\)\. Nothing was changed\./)
        assert.deepEqual(truthNames(), ['Alpha', 'Beta', 'Gamma'], 'Alpha is not deleted on the server')

        // And a map deleted on the server since the base: its file is to move to the backup folder.
        assert.equal(await api('DELETE', '/api/maps/beta/'), 204)
        const kept = await files()
        for (const limit of ['1', '50%']) {
          const r = await cli('sync', '--json', '--max-delete', limit)
          assert.equal(r.code, 9, `--max-delete ${limit}: ${r.stdout}${r.stderr}`)
          const stopped = JSON.parse(r.stdout) as {status: string; exitCode: number; error: {code: string; message: string}}
          assert.deepEqual([stopped.status, stopped.exitCode, stopped.error.code], ['error', 9, 'DELETE_GUARD'])
          assert.match(
            stopped.error.message,
            /^The sync deletes 2 maps \("Alpha", "Beta"\), on the server or in files, more than --max-delete allows \(1\)\. Nothing was changed\./,
          )
          assert.deepEqual(truthNames(), ['Alpha', 'Gamma'], 'Alpha is still on the server')
          assert.deepEqual(await files(), kept, 'beta.map is still there, as it was')
          assert.deepEqual(await readdir(path.join(dir, '.gridsync')).then((names) => names.includes('backup')), false, 'nothing was moved to the backup folder')
        }
        assert.equal(writes(), before + 1, "nothing was sent but the other client's delete")

        const dry = await sync('--dry-run', '--max-delete', '0')
        assert.equal(dry.code, 0, 'a dry run deletes nothing, so the guard does not stop it')
        assert.deepEqual(
          dry.doc.maps.map((m) => [m.name, m.action]),
          [
            ['Alpha', 'delete-on-server'],
            ['Beta', 'delete-file'],
            ['Gamma', 'in-sync'],
          ],
        )

        const approved = await sync('--max-delete', '1', '--yes')
        assert.equal(approved.code, 0, approved.stdout + approved.stderr)
        assert.deepEqual(truthNames(), ['Gamma'], 'Alpha is deleted on the server')
        assert.deepEqual(Object.keys(await files()), ['gamma.map'], 'beta.map moved out of the maps directory')
        const moved = approved.doc.files.find((f) => f.name === 'Beta')
        assert.equal(moved?.status, 'moved')
        const backup = moved.backup ?? assert.fail('the moved file has a backup path')
        assert.ok(backup.startsWith(`${path.join(dir, '.gridsync', 'backup')}${path.sep}`), backup)
        assert.equal(await readFile(backup, 'utf8'), kept['beta.map'])
        await assertSidesEqual()
      })

      it('at the limit the deletes are carried out, without --yes', async () => {
        await synced()
        await rm(path.join(dir, 'alpha.map'))
        assert.equal(await api('DELETE', '/api/maps/beta/'), 204)
        const r = await sync('--max-delete', '2')
        assert.equal(r.code, 0, r.stdout + r.stderr)
        assert.deepEqual(truthNames(), [])
        assert.deepEqual(await files(), {})
      })
    })
  })
}
