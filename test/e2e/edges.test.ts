/**
 * The edges of a run: a server that dies or answers only 5xx, names the server turns
 * into the same address, --only names that match nothing, a maps directory whose state
 * cannot be written, an interrupted run, a broken lock file, a pull that replaces files
 * of another mode and owner. The built CLI, against the sandbox (in a process of its
 * own where it is to die).
 */
import assert from 'node:assert/strict'
import {chown, mkdir, readdir, readFile, stat, utimes, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, it} from 'node:test'

import type {SeedMap} from '../../src/sandbox/index.js'
import {runCli} from '../helpers/cli.js'
import {FANCY, SMALL} from '../helpers/maps.js'
import {freePort, journalEvents, journalReaches, spawnCli, startSandboxProcess, until} from '../helpers/processes.js'
import {useSandbox} from '../helpers/sandbox.js'
import {useTempDir} from '../helpers/temp-dir.js'

/** A 60x40 map with 720 obstacles: a push of 721 operations. */
function bigMap(name = 'Big One'): string {
  const rows = Array.from({length: 40}, (_, y) => Array.from({length: 60}, (_, x) => ((x * 7 + y * 13) % 10 < 3 ? '#' : '.')).join(''))
  return `${name}\n${rows.join('\n')}\n`
}

interface PushDoc {
  apply: {counts: Record<string, number>; results: Array<{kind: string; outcome: string; detail?: string; status?: number}>}
  warnings: string[]
  stopped?: {reason: string; exitCode: number; sent: number; notSent: number}
}

/** stderr with oclif's wrapping of long warnings undone. */
const unwrapped = (stderr: string): string => stderr.replace(/ *\n ›\s+/g, ' ')

const writesOf = (byRoute: Record<string, number>): number =>
  Object.entries(byRoute)
    .filter(([route]) => /^(POST|PUT|DELETE) /.test(route))
    .reduce((n, [, count]) => n + count, 0)

describe('a server that stops answering', () => {
  let dir: string
  useTempDir('gridsync-dead-', (created) => {
    dir = created
  })
  const journal = () => path.join(dir, '.gridsync', 'journal.ndjson')

  it('is given up on: exit 6, what was not sent is reported as not sent, the lock is released; on a new server the next run completes', async (t) => {
    await writeFile(path.join(dir, 'big.map'), bigMap())
    const port = await freePort()
    const first = await startSandboxProcess(port, ['--latency', '40'])
    try {
      const run = spawnCli(['push', '--json', '--server', first.url, '--maps-dir', dir])
      await journalReaches(journal(), 'ack', 40, run.child)
      first.process.kill('SIGKILL')
      await first.exited
      const killedAt = Date.now()
      const r = await run.result
      t.diagnostic(`the push ended ${Date.now() - killedAt} ms after the server was killed`)

      assert.equal(r.code, 6, r.stderr + r.stdout.slice(0, 1500))
      const doc = JSON.parse(r.stdout) as PushDoc
      const {counts, results} = doc.apply
      assert.ok(doc.stopped, 'the document says the push stopped')
      assert.equal(doc.stopped.exitCode, 6)
      assert.match(
        doc.stopped.reason,
        /^the server stopped answering \(the last \d+ attempts got no usable answer, the last one: (connection refused|.*reset.*|the server closed the connection without answering)/,
      )
      assert.equal(doc.stopped.sent + doc.stopped.notSent, results.length)
      assert.ok(doc.stopped.notSent > 300, `most of the push was not sent: ${JSON.stringify(doc.stopped)}`)
      assert.equal(doc.stopped.notSent, counts.skipped)
      assert.ok(results.filter((r) => r.outcome === 'skipped').every((r) => /^not sent: the server stopped answering/.test(r.detail ?? '')))
      assert.ok(!results.some((r) => r.outcome === 'failed' && /not sent/.test(r.detail ?? '')), 'nothing never sent is called failed')
      assert.match(unwrapped(r.stderr), /Stopped sending: the server stopped answering .*\d+ of 721 operations were sent; \d+ were not and are left for the next run\./)

      await assert.rejects(stat(path.join(dir, '.gridsync', 'lock')), {code: 'ENOENT'}, 'the lock is released')
      const events = await journalEvents(journal())
      assert.deepEqual(events.at(-1) && {t: events.at(-1)!.t, exitCode: events.at(-1)!.exitCode}, {t: 'end', exitCode: 6})
      assert.equal(events.filter((e) => e.t === 'ack' && e.outcome === 'skipped').length, counts.skipped, 'the journal records what was not sent')

      // The server comes back on the same port, as a new, empty server: the URLs of the maps the
      // journal knows answer 404, so they are created again, and the next run completes the sync.
      const second = await startSandboxProcess(port)
      try {
        const again = await runCli(['push', '--server', second.url, '--maps-dir', dir])
        assert.equal(again.code, 0, again.stdout + again.stderr)
        assert.doesNotMatch(again.stderr, /ended without finishing/, 'the stopped run recorded its end')
        const diff = await runCli(['diff', '--exit-code', '--server', second.url, '--maps-dir', dir])
        assert.equal(diff.code, 0, diff.stdout)
      } finally {
        second.process.kill('SIGTERM')
        await second.exited
      }
    } finally {
      first.process.kill('SIGKILL')
      await first.exited
    }
  })
})

describe('the edges, against the in-process sandbox', () => {
  const sandbox = useSandbox()
  let dir: string
  useTempDir('gridsync-edges-', (created) => {
    dir = created
  })
  const files = async (entries: Record<string, string>): Promise<void> => {
    for (const [name, text] of Object.entries(entries)) await writeFile(path.join(dir, name), text)
  }

  const cli = (...args: string[]) => runCli([...args, '--server', sandbox().url, '--maps-dir', dir])

  it('gives up on a server that answers every write with 5xx: exit 6, the rest not sent', async () => {
    await files({'big.map': bigMap()})
    sandbox().seed([{name: 'Big One', width: 60, height: 40}])
    sandbox().defects.failBeforeWrite = {probability: 1}
    const r = await cli('push', '--json')
    assert.equal(r.code, 6, r.stderr)
    const doc = JSON.parse(r.stdout) as PushDoc
    assert.equal(doc.stopped?.exitCode, 6)
    assert.match(doc.stopped.reason, /the last one: an answer of 500/)
    assert.equal(doc.apply.counts.applied, 0)
    assert.ok((doc.apply.counts.skipped ?? 0) > 0)
    assert.ok(writesOf(sandbox().stats.byRoute) < 720, `it stopped trying: ${JSON.stringify(sandbox().stats.byRoute)}`)
  })

  describe('names that give the same address', () => {
    it('validate, diff and push name both files and lines (exit 5), and push leaves both maps alone, even with --prune', async () => {
      sandbox().seed([{name: 'Fancy Map', width: 2, height: 1}])
      await files({'a.map': 'Fancy Map\n.a\na,Garden Bob\n', 'b.map': 'fancy map!!\n.b\nb,garden-bob\n', 'small.map': SMALL})
      const v = await runCli(['validate', '--maps-dir', dir])
      assert.equal(v.code, 5)
      const a = path.join(dir, 'a.map')
      const b = path.join(dir, 'b.map')
      assert.ok(v.stdout.includes(`${a}:1:1: the map name "Fancy Map" gives the same address ("fancy-map") on the server as "fancy map!!" in ${b}:1;`), v.stdout)
      assert.ok(v.stdout.includes(`${b}:1:1: the map name "fancy map!!" gives the same address ("fancy-map") on the server as "Fancy Map" in ${a}:1;`), v.stdout)
      assert.ok(v.stdout.includes(`${a}:3:3: the observer name "Garden Bob" gives the same address ("garden-bob") on the server as "garden-bob" in ${b}:3;`), v.stdout)

      assert.equal((await cli('diff')).code, 5)
      const push = await cli('push', '--prune', '--yes')
      assert.equal(push.code, 5, push.stdout + push.stderr)
      assert.deepEqual(
        sandbox()
          .snapshot()
          .map((m) => m.name)
          .sort(),
        ['Fancy Map', 'Small'],
        'neither map is created, changed or pruned',
      )
      assert.equal(
        sandbox()
          .snapshot()
          .find((m) => m.name === 'Fancy Map')!.width,
        2,
      )
    })

    it('a clash with a map only on the server fails in the server words, naming it, and the next run says the same', async () => {
      sandbox().seed([{name: 'Garden', width: 3, height: 1}])
      await files({'garden.map': 'garden\n..\n'})
      for (const attempt of [1, 2]) {
        const r = await cli('push', '--json')
        assert.equal(r.code, 4, `run ${attempt}: ${r.stdout}${r.stderr}`)
        const create = (JSON.parse(r.stdout) as PushDoc).apply.results.find((x) => x.kind === 'createMap')!
        assert.equal(create.outcome, 'failed')
        assert.equal(create.status, 409)
        assert.match(
          create.detail!,
          /^the server refused the name: POST .* answered 409 Conflict: Map name 'garden' conflicts with map 'Garden' \(both have slug 'garden'\); the server already has the map "Garden", whose name gives the same address \("garden"\)/,
        )
        assert.doesNotMatch(r.stdout, /answer was lost|run `gridsync push` again|run again later/)
      }
    })

    it('where only the server can tell (letters it spells its own way), its 409 is a failure in its words', async () => {
      sandbox().seed([{name: 'u5317', width: 2, height: 1}])
      await files({'north.map': '北\n..\n'})
      assert.equal((await runCli(['validate', '--maps-dir', dir])).code, 0)
      const r = await cli('push')
      assert.equal(r.code, 4, r.stdout + r.stderr)
      assert.match(
        r.stdout,
        /failed 北: create map 2x1: the server refused the name: .*conflicts with map 'u5317'.*; its listing shows no map of this name: another map's name gives the same address/,
      )
      assert.doesNotMatch(r.stdout, /answer was lost|run again later/)
    })

    it('an observer name that only differs in case and punctuation from one on another map fails in the server words', async () => {
      sandbox().seed([{name: 'Elsewhere', width: 2, height: 1, observers: [{name: 'Scout Bob', x: 0, y: 0}]}])
      await files({'north.map': 'North\na.\na,scout-bob,3\n'})
      const r = await cli('push')
      assert.equal(r.code, 4, r.stdout + r.stderr)
      assert.match(
        r.stdout,
        /failed North: create observer "scout-bob".*the server refused the name: .*409.*Observer name 'scout-bob' conflicts with observer 'Scout Bob' on map 'Elsewhere'/,
      )
    })
  })

  it('an --only name that matches no map, in the files or on the server, is a usage error for diff, push and pull', async () => {
    sandbox().seed([{name: 'Garden', width: 2, height: 1}])
    await files({'fancy.map': FANCY})
    for (const command of ['diff', 'push', 'pull']) {
      const r = await cli(command, '--only', 'Fancy Map', '--only', 'Nowhere')
      assert.equal(r.code, 2, `${command}: ${r.stdout}${r.stderr}`)
      assert.match(r.stderr, /--only "Nowhere" matches no map in the files of .* or on the server/)
    }
    assert.equal(writesOf(sandbox().stats.byRoute), 0)
    assert.equal((await cli('diff', '--only', 'Garden', '--only', 'Fancy Map')).code, 0, 'names on the server or in the files are fine')
  })

  describe('the maps directory and its state', () => {
    it('.gridsync being a file stops push, diff and pull with exit 11, one line naming it, nothing sent or written', async () => {
      await files({'fancy.map': FANCY, '.gridsync': 'not a directory\n'})
      const state = path.join(dir, '.gridsync')
      for (const command of ['push', 'diff', 'pull']) {
        const r = await cli(command)
        assert.equal(r.code, 11, `${command}: ${r.stdout}${r.stderr}`)
        const lines = r.stderr.trim().split('\n')
        assert.equal(lines.length, 1, r.stderr)
        assert.match(
          lines[0]!,
          new RegExp(
            `^Error: cannot [a-z ]+"${state}[^"]*"( \\(.*\\))?: (something of that name is already there \\(EEXIST\\)|a part of the path is a file, not a directory \\(ENOTDIR\\))`,
          ),
        )
      }
      assert.equal(writesOf(sandbox().stats.byRoute), 0)
      assert.equal(await readFile(state, 'utf8'), 'not a directory\n')
      assert.deepEqual((await readdir(dir)).sort(), ['.gridsync', 'fancy.map'])
    })

    it('a backup directory that cannot be made stops pull --overwrite with exit 11 and leaves the file as it was', async () => {
      sandbox().seed([{name: 'Garden', width: 2, height: 1}])
      await files({'garden.map': 'Garden\n...\n'})
      await mkdir(path.join(dir, '.gridsync'))
      await writeFile(path.join(dir, '.gridsync', 'backup'), '')
      const r = await cli('pull', '--overwrite')
      assert.equal(r.code, 11, r.stdout + r.stderr)
      assert.match(r.stderr, /^Error: cannot create the directory ".*backup.*" \(pulling "Garden" into .*garden\.map\): /m)
      assert.equal(await readFile(path.join(dir, 'garden.map'), 'utf8'), 'Garden\n...\n')
    })

    it('a lock file that is not a lock record names itself and how to remove it (exit 11), for push and pull', async () => {
      await files({'fancy.map': FANCY})
      const lock = path.join(dir, '.gridsync', 'lock')
      await mkdir(path.dirname(lock))
      await writeFile(lock, '\u0000\u0000garbage')
      const old = new Date(Date.now() - 3_600_000)
      await utimes(lock, old, old)
      for (const command of ['push', 'pull']) {
        const r = await cli(command)
        assert.equal(r.code, 11, r.stdout + r.stderr)
        assert.match(r.stderr, new RegExp(`^Error: the lock file ${lock} is not a gridsync lock record .*then remove ${lock}$`, 'm'))
      }
      assert.equal(writesOf(sandbox().stats.byRoute), 0)
    })
  })

  it('pull --overwrite keeps the mode and owner of the file it replaces, and of its backup', async () => {
    const seed: SeedMap = {name: 'Garden', width: 3, height: 1, obstacles: [{x: 1, y: 0}]}
    sandbox().seed([seed])
    const file = path.join(dir, 'garden.map')
    await files({'garden.map': 'Garden\n...\n'})
    const {chmod} = await import('node:fs/promises')
    await chmod(file, 0o600)
    const owner = process.getuid?.() === 0 ? {uid: 4321, gid: 4321} : undefined
    if (owner) await chown(file, owner.uid, owner.gid)

    const r = await cli('pull', '--overwrite', '--json')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const backup = (JSON.parse(r.stdout) as {maps: Array<{backup?: string}>}).maps[0]!.backup!
    assert.equal(await readFile(file, 'utf8'), 'Garden\n.#.\n')
    assert.equal(await readFile(backup, 'utf8'), 'Garden\n...\n')
    for (const f of [file, backup]) {
      const s = await stat(f)
      assert.equal(s.mode & 0o777, 0o600, `${f} keeps mode 0600`)
      if (owner) assert.deepEqual({uid: s.uid, gid: s.gid}, owner, `${f} keeps its owner`)
    }
  })

  describe('an interrupted push', () => {
    const journal = () => path.join(dir, '.gridsync', 'journal.ndjson')

    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      it(`stops sending on ${signal}, lets what is under way end, records it all and exits ${code}; the next run completes`, async () => {
        await files({'big.map': bigMap()})
        sandbox().defects.latencyMs = 60
        const run = spawnCli(['push', '--log-format', 'json', '--server', sandbox().url, '--maps-dir', dir])
        await journalReaches(journal(), 'ack', 30, run.child)
        run.child.kill(signal)
        const r = await run.result
        assert.equal(r.code, code, r.stderr)

        const events = r.stderr
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as {event: string; exitCode?: number; message?: string; outcome?: string; detail?: string | null})
        assert.ok(events.some((e) => e.event === 'warning' && e.message!.startsWith(`${signal} received: nothing new is sent`)))
        assert.ok(
          events.some((e) => e.event === 'warning' && new RegExp(`^Stopped sending: interrupted by ${signal}\\. \\d+ of 721 operations were sent; \\d+ were not`).test(e.message!)),
        )
        const ops = events.filter((e) => e.event === 'operation')
        assert.equal(ops.length, 721, 'every operation is accounted for')
        assert.ok(ops.filter((e) => e.outcome === 'skipped').every((e) => e.detail === `not sent: interrupted by ${signal}`))
        assert.equal(ops.filter((e) => e.outcome === 'failed').length, 0)
        assert.deepEqual({event: events.at(-1)!.event, exitCode: events.at(-1)!.exitCode}, {event: 'run-end', exitCode: code})
        assert.match(r.stdout, new RegExp(`^gridsync push: .*stopped sending \\(interrupted by ${signal}\\): \\d+ of 721 operations sent; exit ${code} in `, 'm'))

        const recorded = await journalEvents(journal())
        assert.deepEqual({t: recorded.at(-1)!.t, exitCode: recorded.at(-1)!.exitCode}, {t: 'end', exitCode: code})
        await assert.rejects(stat(path.join(dir, '.gridsync', 'lock')), {code: 'ENOENT'})

        sandbox().defects.latencyMs = 0
        const again = await cli('push')
        assert.equal(again.code, 0, again.stdout + again.stderr)
        assert.doesNotMatch(again.stderr, /ended without finishing/)
        const [held] = sandbox().snapshot()
        assert.equal(held!.obstacles.length, 720, 'every obstacle once')
      })
    }

    it('ends at once on a second signal, releasing the lock; the next run warns about it before anything else', async () => {
      await files({'big.map': bigMap(), 'fancy.map': FANCY})
      sandbox().defects.latencyMs = 2000
      const run = spawnCli(['push', '--server', sandbox().url, '--maps-dir', dir])
      await journalReaches(journal(), 'send', 2, run.child)
      run.child.kill('SIGINT')
      await until(() => run.stderr().includes('SIGINT received'), run.child, 'it took the first signal')
      run.child.kill('SIGINT')
      const r = await run.result
      assert.equal(r.code, 130, r.stderr)
      await assert.rejects(stat(path.join(dir, '.gridsync', 'lock')), {code: 'ENOENT'})
      assert.notEqual((await journalEvents(journal())).at(-1)!.t, 'end', 'it did not wait to record its end')

      sandbox().defects.latencyMs = 0
      await sandbox().idle()
      const next = await cli('push', '--json', '--log-format', 'json')
      const events = next.stderr
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as {event: string; message?: string})
      assert.equal(events[0]!.event, 'run-start')
      assert.equal(events[1]!.event, 'warning', JSON.stringify(events.slice(0, 3)))
      assert.match(events[1]!.message!, /^An earlier gridsync push \(started .*\) ended without finishing/)
      assert.ok(events.findIndex((e) => e.event === 'plan') > 1)
      assert.match((JSON.parse(next.stdout) as PushDoc).warnings[0]!, /ended without finishing/)
      assert.ok([0, 8].includes(next.code), next.stdout)
    })
  })
})
