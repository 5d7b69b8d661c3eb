import assert from 'node:assert/strict'
import {mkdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {beforeEach, describe, it} from 'node:test'

import type {WriteRequest} from '../../src/sandbox/faults.js'
import {runCli} from '../helpers/cli.js'
import {FANCY, SMALL} from '../helpers/maps.js'
import {useSandbox} from '../helpers/sandbox.js'
import {useTempDir} from '../helpers/temp-dir.js'

const TOKEN = 'tok-e2e-5f4e3d2c1b'
const HEADER_VALUE = 'hdr-e2e-a1b2c3d4'

type Event = Record<string, unknown> & {event: string}

/** The sandbox refuses (500) to place observers on Small; everything else goes through. */
const failSmallObservers = (w: WriteRequest): boolean => w.method === 'POST' && w.path === '/api/maps/small/observers/'

/** Every line of an NDJSON text as an object; fails on any line that is not JSON. */
function ndjson(text: string): Event[] {
  const lines = text.split('\n')
  assert.equal(lines.pop(), '', 'the output ends with a newline')
  return lines.map((line, i) => {
    try {
      return JSON.parse(line) as Event
    } catch {
      assert.fail(`line ${i + 1} is not JSON: ${line}`)
    }
  })
}

describe('logs a machine can read', () => {
  const sandbox = useSandbox()
  let maps: string
  let logs: string
  let root: string
  useTempDir('gridsync-logs-', (created) => {
    root = created
    maps = path.join(root, 'maps')
    logs = path.join(root, 'logs')
  })
  beforeEach(async () => {
    await mkdir(maps)
    await mkdir(logs)
    await writeFile(path.join(maps, 'fancy.map'), FANCY)
    await writeFile(path.join(maps, 'small.map'), SMALL)
  })

  const cli = (...args: string[]) => runCli([...args, '--server', sandbox().url, '--maps-dir', maps])

  it('push --log-format json: NDJSON on stderr, one operation event each with its time, and the summary alone on stdout', async () => {
    const r = await cli('push', '--log-format', 'json')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const events = ndjson(r.stderr)
    const ops = events.filter((e) => e.event === 'operation')
    // Fancy Map: map, 4 observers, 9 obstacles; Small: map, 2 observers, 2 obstacles.
    assert.equal(ops.length, 19)
    assert.deepEqual(
      ops.map((e) => e.id).sort((a, b) => Number(a) - Number(b)),
      Array.from({length: 19}, (_, i) => i),
    )
    for (const e of ops) {
      assert.equal(typeof e.durationMs, 'number')
      assert.equal(e.outcome, 'applied')
      assert.equal(e.command, 'push')
      assert.ok(!Number.isNaN(Date.parse(String(e.time))))
    }

    assert.equal(events[0]?.event, 'run-start')
    assert.equal(events[0]?.server, sandbox().url)
    assert.equal(events[0]?.pid !== undefined, true)
    assert.deepEqual(
      events
        .filter((e) => e.event === 'verify')
        .map((e) => [e.map, e.verdict])
        .sort(),
      [
        ['Fancy Map', 'confirmed'],
        ['Small', 'confirmed'],
      ],
    )
    const end = events.at(-1)
    assert.equal(end?.event, 'run-end')
    assert.equal(end?.exitCode, 0)
    assert.equal((end?.counts as Record<string, number>).applied, 19)
    assert.match(r.stdout, /^gridsync push: 19 applied, 0 failed, 0 skipped; 2 maps verified; exit 0 in \d+\.\d s\n$/)
  })

  it('a failed push logs its exit code and the failed operations as problems', async () => {
    sandbox().defects.failBeforeWrite = failSmallObservers
    const r = await cli('push', '--log-format', 'json', '--retries', '0')
    assert.equal(r.code, 4, r.stdout + r.stderr)
    const events = ndjson(r.stderr)
    const failed = events.filter((e) => e.event === 'operation' && e.outcome === 'failed')
    assert.deepEqual(failed.map((e) => [e.kind, e.map, e.status, e.level]).sort(), [
      ['createObserver', 'Small', 500, 'error'],
      ['createObserver', 'Small', 500, 'error'],
    ])
    assert.deepEqual(failed.map((e) => e.object).sort(), ['Small One', 'Small Two'])
    assert.equal(events.at(-1)?.exitCode, 4)
  })

  it('--log-file appends: two runs, the second adds to the first', async () => {
    const file = path.join(logs, 'gridsync.log')
    const first = await cli('push', '--log-file', file, '--log-file-format', 'text')
    assert.equal(first.code, 0, first.stdout + first.stderr)
    const afterFirst = await readFile(file, 'utf8')
    assert.match(afterFirst, /^\S+Z push started: gridsync \S+, server http:\/\/127\.0\.0\.1:\d+, maps dir \S+, pid \d+\n/)
    assert.match(afterFirst, / push create obstacle \(5,1\) on "Fancy Map": applied \d+ ms/)
    assert.match(afterFirst, / push finished: 19 applied, 0 failed, 0 skipped; 2 maps verified; exit 0 in \d+\.\d s\n$/)
    // The human report stays on stdout as before, with the summary line after it.
    assert.match(first.stdout, /Verified: the server matches the files/)
    assert.match(first.stdout, /\ngridsync push: 19 applied.*exit 0 in \d+\.\d s\n$/)

    // The file's format is its own setting (NDJSON by default), whatever stderr shows.
    const second = await runCli(['diff', '--server', sandbox().url, '--maps-dir', maps], {env: {GRIDSYNC_LOG_FILE: file}})
    assert.equal(second.code, 0, second.stdout + second.stderr)
    assert.match(second.stdout, /^No changes: the server matches the files \(read at \d\d:\d\d:\d\d UTC\)\.$/m)
    assert.equal(second.stderr, '')
    const all = await readFile(file, 'utf8')
    assert.ok(all.startsWith(afterFirst), 'the first run is kept as it was')
    const added = ndjson(all.slice(afterFirst.length))
    assert.deepEqual(
      added.map((e) => e.event),
      ['run-start', 'plan', 'run-end'],
    )
    assert.equal(added[0]?.command, 'diff')
  })

  it('the cron recipe: a log file in a directory not made yet, from the configuration file; NDJSON there, readable text on stdout', async () => {
    await writeFile(path.join(root, 'gridsync.config.json'), JSON.stringify({server: sandbox().url, 'log-file': 'logs/cron/push.ndjson'}))
    const r = await runCli(['push', '--quiet'], {cwd: root})
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(r.stdout + r.stderr, '', 'a clean quiet run sends no cron mail')
    const events = ndjson(await readFile(path.join(root, 'logs', 'cron', 'push.ndjson'), 'utf8'))
    assert.equal(events[0]?.event, 'run-start')
    assert.equal(events.at(-1)?.exitCode, 0)

    // A run with a problem: the mail (stdout) names it in plain lines; the file gets its events.
    sandbox().defects.failBeforeWrite = (w) => w.method === 'POST' && w.path === '/api/maps/small/obstacles/'
    await writeFile(path.join(maps, 'small.map'), SMALL.replace('a.#', 'a##'))
    const failing = await runCli(['push', '--quiet', '--retries', '0'], {cwd: root})
    assert.equal(failing.code, 4, failing.stdout + failing.stderr)
    assert.match(failing.stdout, /^\S+Z push create obstacle \(1,0\) on "Small": failed /m)
    assert.match(failing.stdout, /^gridsync push: .*; exit 4 in/m)
    assert.doesNotMatch(failing.stdout + failing.stderr, /^\{/m, 'the mail is text, not JSON')
    const added = ndjson(await readFile(path.join(root, 'logs', 'cron', 'push.ndjson'), 'utf8')).slice(events.length)
    assert.deepEqual([added[0]?.event, added.at(-1)?.exitCode], ['run-start', 4])
  })

  it('--log-file where a file stands in the way of its directory: exit 2 with a clear message, nothing pushed', async () => {
    await writeFile(path.join(root, 'plain'), 'a file')
    const file = path.join(root, 'plain', 'gridsync.log')
    const r = await cli('push', '--log-file', file)
    assert.equal(r.code, 2, r.stdout + r.stderr)
    assert.match(r.stderr, new RegExp(`cannot open the log file ".*gridsync\\.log": a part of ".*plain" is not a directory`))
    assert.deepEqual(sandbox().snapshot(), [])
  })

  it('--quiet on a clean push prints nothing at all', async () => {
    const r = await cli('push', '--quiet')
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(r.stdout, '')
    assert.equal(r.stderr, '')
  })

  it('--quiet (from GRIDSYNC_QUIET) on a failing push still shows each problem and the summary', async () => {
    sandbox().defects.failBeforeWrite = failSmallObservers
    const r = await runCli(['push', '--server', sandbox().url, '--maps-dir', maps, '--retries', '0'], {env: {GRIDSYNC_QUIET: '1'}})
    assert.equal(r.code, 4, r.stdout + r.stderr)
    const lines = r.stdout.trimEnd().split('\n')
    assert.equal(lines.length, 4, r.stdout)
    assert.deepEqual(
      lines
        .slice(0, 2)
        .map((l) => l.replace(/^\S+Z /, '').replace(/\d+ ms/, 'N ms'))
        .sort(),
      ['One', 'Two'].map(
        (n) =>
          `push create observer "Small ${n}" on "Small": failed N ms (HTTP 500): POST ${sandbox().url}/api/maps/small/observers/ answered 500 Internal Server Error: database is locked`,
      ),
    )
    assert.match(lines[2]!, /^\S+Z push verify "Small": incomplete/)
    assert.match(lines[3]!, /^gridsync push: 17 applied, 2 failed, 0 skipped; 1 map verified, 1 not; exit 4 in \d+\.\d s$/)
    assert.doesNotMatch(r.stdout, /Fancy Map/, 'nothing about what went well')
  })

  it('--quiet lists invalid files, and validate logs them as events', async () => {
    await writeFile(path.join(maps, 'broken.map'), 'Broken\n..\n.\n')
    const quiet = await runCli(['validate', '--maps-dir', maps, '-q'])
    assert.equal(quiet.code, 5, quiet.stdout + quiet.stderr)
    const lines = quiet.stdout.trimEnd().split('\n')
    assert.equal(lines.length, 2, quiet.stdout)
    assert.match(lines[0]!, /validate invalid file \S+broken\.map \("Broken"\): \S+broken\.map:3:\d+: /)
    assert.match(lines[1]!, /^gridsync validate: 3 files checked, 1 invalid \(\d+ problems?\); exit 5 in \d+\.\d s$/)

    const push = await cli('push', '-q')
    assert.equal(push.code, 5, push.stdout + push.stderr)
    assert.deepEqual(
      push.stdout
        .replace(/^\S+Z /, '')
        .split('\n')
        .slice(0, 1),
      lines[0]!.replace(/^\S+Z validate/, 'push').split('\n'),
      'push reports the invalid file as validate does',
    )
    assert.match(push.stdout, /\ngridsync push: 19 applied, 0 failed, 0 skipped; 1 invalid file left alone; 2 maps verified; exit 5 in \d+\.\d s\n$/)

    const json = await runCli(['validate', '--maps-dir', maps, '--log-format', 'json'])
    assert.equal(json.code, 5)
    const events = ndjson(json.stderr)
    assert.deepEqual(
      events.map((e) => e.event),
      ['run-start', 'invalid-file', 'run-end'],
    )
    assert.equal(events[1]?.map, 'Broken')
    assert.equal(events[2]?.exitCode, 5)
  })

  it('pull --log-format json: one pull-map event per map', async () => {
    assert.equal((await cli('push')).code, 0)
    const fresh = path.join(root, 'fresh')
    const r = await runCli(['pull', '--server', sandbox().url, '--maps-dir', fresh, '--log-format', 'json'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const events = ndjson(r.stderr)
    assert.deepEqual(
      events.filter((e) => e.event === 'pull-map').map((e) => [e.name, e.status, e.level]),
      [
        ['Fancy Map', 'written', 'info'],
        ['Small', 'written', 'info'],
      ],
    )
    assert.deepEqual(events.at(-1)?.counts, {written: 2, wouldWrite: 0, present: 0, skipped: 0, failed: 0})
    assert.match(r.stdout, /^gridsync pull: 2 written, 0 present, 0 skipped, 0 failed; exit 0 in \d+\.\d s\n$/)
  })

  it('an error that stops the run still ends the log with its exit code', async () => {
    const file = path.join(logs, 'gridsync.ndjson')
    const r = await runCli(['push', '--server', 'http://127.0.0.1:9', '--maps-dir', maps, '--retries', '0', '--log-format', 'json', '--log-file', file])
    assert.equal(r.code, 6, r.stdout + r.stderr)
    const events = ndjson(await readFile(file, 'utf8'))
    // Each attempt that met no server is in the log (the version check and the listing go out together), with what went wrong.
    const attempts = events.filter((e) => e.event === 'request')
    assert.ok(attempts.length >= 1 && attempts.every((e) => /refused/.test(String(e.error))), JSON.stringify(attempts))
    assert.deepEqual(
      events.filter((e) => e.event !== 'request').map((e) => [e.event, e.exitCode]),
      [
        ['run-start', undefined],
        ['error', 6],
        ['run-end', 6],
      ],
    )
    assert.match(r.stdout, /^gridsync push: stopped by an error; exit 6 in \d+\.\d s\n$/)
    // stderr stays pure NDJSON: the error is an event there, not an extra text line.
    assert.deepEqual(
      ndjson(r.stderr)
        .map((e) => e.event)
        .filter((e) => e !== 'request'),
      ['run-start', 'error', 'run-end'],
    )
  })

  it('never shows the token or a header value: not on stdout, stderr or in the log file', async () => {
    const file = path.join(logs, 'gridsync.log')
    const secretArgs = ['--token', TOKEN, '--header', `X-Api-Key: ${HEADER_VALUE}`]
    sandbox().defects.failBeforeWrite = failSmallObservers
    const runs = [
      await cli('push', ...secretArgs, '--log-format', 'json', '--log-file', file, '--retries', '0', '--verbose', '--verbose'),
      await cli('push', ...secretArgs, '--log-file', file, '--log-file-format', 'text', '--quiet', '--retries', '0', '--verbose', '--verbose'),
      await cli('diff', ...secretArgs, '--log-format', 'json', '--log-file', file),
      // A run that an error stops.
      await runCli(['push', '--server', 'http://127.0.0.1:9', '--maps-dir', maps, ...secretArgs, '--retries', '0', '--log-file', file]),
    ]
    const logged = await readFile(file, 'utf8')
    assert.match(logged, /push started/)
    assert.match(logged, /"event":"run-end"/)
    assert.match(logged, /"event":"request"/)
    assert.match(runs[1]!.stderr, / push http GET http:\/\/127\.0\.0\.1:\d+\/apispec_1\.json -> 200 in [\d.]+ ms, attempt 1$/m)
    for (const secret of [TOKEN, HEADER_VALUE]) {
      assert.ok(!logged.includes(secret), `the log file shows ${secret}`)
      for (const r of runs) {
        assert.ok(!r.stdout.includes(secret), `stdout shows ${secret}: ${r.stdout}`)
        assert.ok(!r.stderr.includes(secret), `stderr shows ${secret}: ${r.stderr}`)
      }
    }
  })
})
