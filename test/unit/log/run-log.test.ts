import assert from 'node:assert/strict'
import {mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, it} from 'node:test'

import {REDACTED} from '../../../src/log/index.js'
import {pushTotals} from '../../../src/presenters/push.js'
import {RunLog, type RunLogSettings} from '../../../src/presenters/run-log.js'
import type {Plan} from '../../../src/sync/plan-types.js'
import type {ApplyResult, Verification} from '../../../src/sync/result-types.js'
import {failure} from '../../helpers/errors.js'
import {applyOf} from '../render/apply-fixtures.js'
import {FANCY_LOCAL, FANCY_REMOTE, local, planOf, remote} from '../render/fixtures.js'
import {T0} from './fixtures.js'

const TOKEN = 'sekrit-token-42'

interface Captured {
  stdout: string[]
  stderr: string[]
  warn: string[]
}

function open(s: Partial<RunLogSettings> = {}): {log: RunLog; out: Captured} {
  const out: Captured = {stdout: [], stderr: [], warn: []}
  let time = T0
  const log = new RunLog({
    command: 'push',
    version: '9.9.9',
    format: 'text',
    quiet: false,
    document: false,
    secrets: [TOKEN],
    exitCodeOf: () => 6,
    output: {stdout: (t) => out.stdout.push(t), stderr: (l) => out.stderr.push(l), warn: (m) => out.warn.push(m)},
    // Each reading of the clock is 100 ms after the one before.
    now: () => (time += 100),
    pid: 42,
    ...s,
  })
  return {log, out}
}

// Operations: 0 delete D, 1 resize, 2 delete obstacle (4,5), 3 update A, 4 update B, 5 create E, 6-7 create obstacles.
function fancyPlan(): Plan {
  const p = planOf({local: [local('maps/fancy-map.map', FANCY_LOCAL)], remote: [remote(FANCY_REMOTE)]})
  p.warnings.push('a warning of the plan')
  return p
}

const CONFIRMED: Verification = {skipped: false, maps: [{name: 'Fancy Map', verdict: 'confirmed', differences: []}]}

/** A push as the command drives its log: start, a warning, the plan, each operation, verification, end. */
async function push(log: RunLog, apply: ApplyResult = applyOf(fancyPlan()), verification = CONFIRMED): Promise<void> {
  const p = fancyPlan()
  await log.run({server: 'http://127.0.0.1:5000', mapsDir: 'maps'}, async () => {
    log.warning(`a warning for people (token ${TOKEN})`)
    log.plan(p)
    log.report('THE PLAN')
    for (const r of apply.results) log.operation(r)
    log.verification(verification)
    log.report('THE RESULT')
    const failed = apply.counts.failed + apply.counts.skipped > 0
    log.end(failed ? 4 : 0, pushTotals(p, {apply, verification}))
  })
}

const failedApply = (): ApplyResult => applyOf(fancyPlan(), {1: {outcome: 'failed', status: 500, detail: 'the server failed'}, 5: {outcome: 'skipped'}})

function events(lines: string[]): Array<Record<string, unknown>> {
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>)
}

describe('RunLog', () => {
  it('text: the report, then the summary line on stdout; warnings for people; no events on stderr', async () => {
    const {log, out} = open()
    await push(log)
    assert.deepEqual(out.stdout, ['THE PLAN', 'THE RESULT', 'gridsync push: 8 applied, 0 failed, 0 skipped; 1 map verified; exit 0 in 1.4 s'])
    // The plan's own warning is in the report; only the other one is a Warning: line.
    assert.deepEqual(out.warn, [`a warning for people (token ${REDACTED})`])
    assert.deepEqual(out.stderr, [])
    assert.equal(log.showReport, true)
    assert.equal(log.showProgress, true)
  })

  it('json: every event as NDJSON on stderr, and only the summary line on stdout', async () => {
    const {log, out} = open({format: 'json'})
    await push(log)
    const got = events(out.stderr)
    assert.deepEqual(
      got.map((e) => e.event),
      ['run-start', 'warning', 'plan', 'warning', ...Array.from({length: 8}, () => 'operation'), 'verify', 'run-end'],
    )
    assert.deepEqual(got[0], {
      time: new Date(T0 + 200).toISOString(),
      level: 'info',
      event: 'run-start',
      command: 'push',
      version: '9.9.9',
      server: 'http://127.0.0.1:5000',
      mapsDir: 'maps',
      pid: 42,
    })
    assert.ok(got.filter((e) => e.event === 'operation').every((e) => e.durationMs === 3))
    assert.deepEqual(got.at(-1)?.exitCode, 0)
    assert.deepEqual(out.stdout, ['gridsync push: 8 applied, 0 failed, 0 skipped; 1 map verified; exit 0 in 1.4 s'])
    assert.deepEqual(out.warn, [])
    assert.equal(log.showProgress, false)
  })

  it('quiet, clean run: nothing at all', async () => {
    const {log, out} = open({quiet: true})
    const p = fancyPlan()
    await log.run({}, async () => {
      for (const r of applyOf(p).results) log.operation(r)
      log.verification(CONFIRMED)
      log.report('THE RESULT')
      log.end(0, pushTotals(p, {apply: applyOf(p), verification: CONFIRMED}))
    })
    assert.deepEqual(out, {stdout: [], stderr: [], warn: []})
    assert.equal(log.showProgress, false)
  })

  it('quiet, failing run: each problem as a log line and the summary line on stdout, warnings on stderr', async () => {
    const {log, out} = open({quiet: true})
    await push(log, failedApply(), {skipped: false, maps: [{name: 'Fancy Map', verdict: 'incomplete', differences: ['size 12x6, expected 14x6']}]})
    assert.deepEqual(out.stdout, [
      '2026-11-22T19:00:00.700Z push update map on "Fancy Map": failed 3 ms (HTTP 500): the server failed',
      '2026-11-22T19:00:01.100Z push create observer "Fancy Observer E" on "Fancy Map": skipped 3 ms',
      '2026-11-22T19:00:01.400Z push verify "Fancy Map": incomplete: size 12x6, expected 14x6',
      'gridsync push: 6 applied, 1 failed, 1 skipped; 0 maps verified, 1 not; exit 4 in 1.4 s',
    ])
    // With the report gone, the plan's warning is printed for people too.
    assert.deepEqual(out.warn, [`a warning for people (token ${REDACTED})`, 'a warning of the plan'])
  })

  it('quiet json: only the problem events on stderr', async () => {
    const {log, out} = open({quiet: true, format: 'json'})
    await push(log, failedApply())
    assert.deepEqual(
      events(out.stderr).map((e) => `${e.event} ${e.level}`),
      ['warning warn', 'warning warn', 'operation error', 'operation warn', 'run-end error'],
    )
    assert.equal(out.stdout.length, 1)
  })

  it('logs the invalid files of a plan with their problems, and its maps in conflict', async () => {
    const {log, out} = open({format: 'json'})
    const p = planOf({
      invalid: [
        {file: 'maps/broken.map', name: 'Broken', problems: ['maps/broken.map:3:2: row 2 is short']},
        {file: 'maps/worse.map', problems: ['maps/worse.map:1:1: no name', 'maps/worse.map:2:1: no grid']},
      ],
    })
    p.maps.push({name: 'Small', action: 'conflict', changes: p.maps[0]!.changes, notes: ['changed on the server by someone else']})
    await log.run({}, async () => log.plan(p))
    assert.deepEqual(
      events(out.stderr)
        .filter((e) => e.event === 'conflict')
        .map((e) => [e.level, e.map, e.detail]),
      [['error', 'Small', 'changed on the server by someone else']],
    )
    const invalid = events(out.stderr).filter((e) => e.event === 'invalid-file')
    assert.deepEqual(
      invalid.map((e) => [e.level, e.file, e.map, e.problems]),
      [
        ['error', 'maps/broken.map', 'Broken', ['maps/broken.map:3:2: row 2 is short']],
        ['error', 'maps/worse.map', null, ['maps/worse.map:1:1: no name', 'maps/worse.map:2:1: no grid']],
      ],
    )
  })

  it('next to a requested document: stdout is left to it, stderr still carries the events', async () => {
    const {log, out} = open({format: 'json', document: true, quiet: true})
    await push(log, failedApply())
    assert.deepEqual(out.stdout, [])
    assert.ok(out.stderr.length > 0)
  })

  it('a report that ends with its own summary gets no second one in text mode, but does in json', async () => {
    for (const format of ['text', 'json'] as const) {
      const {log, out} = open({format, reportHasSummary: true, command: 'validate'})
      await log.run({mapsDir: 'maps'}, async () => {
        log.report('1 file checked: all valid')
        log.end(0, {counts: {files: 1}, summary: '1 file checked, all valid'})
      })
      assert.deepEqual(out.stdout, format === 'text' ? ['1 file checked: all valid'] : ['gridsync validate: 1 file checked, all valid; exit 0 in 0.2 s'])
    }
  })

  it('an error that stops the run: logged with its exit code, then thrown on', async () => {
    const {log, out} = open({format: 'json', exitCodeOf: () => 7})
    const err = await failure(
      log.run({server: 'https://maps.example.org'}, async () => {
        throw new Error(`the server answered nonsense to ${TOKEN}`)
      }),
    )
    assert.equal(err.message, `the server answered nonsense to ${TOKEN}`)
    const got = events(out.stderr)
    assert.deepEqual(
      got.map((e) => [e.event, e.level, e.exitCode]),
      [
        ['run-start', 'info', undefined],
        ['error', 'error', 7],
        ['run-end', 'error', 7],
      ],
    )
    assert.equal(got[1]?.message, `the server answered nonsense to ${REDACTED}`)
    assert.deepEqual(out.stdout, ['gridsync push: stopped by an error; exit 7 in 0.3 s'])
  })

  describe('with a log file', () => {
    let dir: string
    beforeEach(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'gridsync-runlog-'))
    })
    afterEach(async () => {
      await rm(dir, {recursive: true, force: true})
    })

    it('appends every event in the file format (NDJSON unless told), whatever --quiet and --log-format say, and closes it at the end', async () => {
      const file = path.join(dir, 'gridsync.log')
      const first = open({logFile: file, logFileFormat: 'text', quiet: true, format: 'json'})
      await push(first.log)
      const second = open({logFile: file})
      await push(second.log, failedApply())
      const written = (await readFile(file, 'utf8')).split('\n')
      assert.equal(written.pop(), '')
      // 14 events a run: start, 2 warnings, plan, 8 operations, 1 verification, end.
      assert.equal(written.length, 28)
      assert.match(written[0]!, /^2026-11-22T19:00:00\.200Z push started: gridsync 9\.9\.9, server http:\/\/127\.0\.0\.1:5000, maps dir maps, pid 42$/)
      assert.match(written[13]!, /push finished: .*; exit 0 in 1\.4 s$/)
      assert.deepEqual(JSON.parse(written[27]!).exitCode, 4)
      assert.ok(!written.join('\n').includes(TOKEN))
      // The first run's log was closed with it: more events go nowhere.
      first.log.warning('late')
      assert.equal((await readFile(file, 'utf8')).split('\n').length, 29)
    })

    it('creates a missing directory; cannot be opened where a file stands in the way (exit 2)', async () => {
      const made = open({logFile: path.join(dir, 'nope', 'x.log')})
      await push(made.log)
      assert.equal(JSON.parse((await readFile(path.join(dir, 'nope', 'x.log'), 'utf8')).split('\n')[0]!).event, 'run-start')
      assert.throws(() => open({logFile: path.join(dir, 'nope', 'x.log', 'y.log')}), {exitCode: 2})
    })

    it('traces each HTTP attempt when asked, as a request event with no header in it', async () => {
      const file = path.join(dir, 'trace.log')
      const traced = open({logFile: file, trace: true})
      assert.ok(traced.log.onRequest)
      traced.log.onRequest({method: 'GET', url: 'http://u:p@127.0.0.1:5000/api/maps/', status: 200, durationMs: 3.14159, attempt: 2})
      const line = JSON.parse((await readFile(file, 'utf8')).split('\n')[0]!)
      const {time: _time, ...rest} = line
      assert.deepEqual(rest, {
        level: 'info',
        event: 'request',
        command: 'push',
        method: 'GET',
        url: 'http://127.0.0.1:5000/api/maps/',
        status: 200,
        error: null,
        durationMs: 3.1,
        attempt: 2,
      })
      assert.equal(open({}).log.onRequest, undefined, 'off unless asked')
    })
  })
})
