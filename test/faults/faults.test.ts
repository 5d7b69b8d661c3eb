/**
 * The fault suite: the built CLI pushes a generated world (a few hundred operations)
 * to the sandbox with one fault, or several, switched on; then a second run, with the
 * fault off unless it is one that never goes away. After every run the harness checks
 * that its exit code and JSON report are true of the server and that nothing was
 * duplicated or invented; after the second, the server must hold exactly the files
 * (where the fault allows it at all). Run with `npm run test:faults`.
 */
import assert from 'node:assert/strict'
import {after, describe, it, type TestContext} from 'node:test'

import {type FaultName, type FaultRule, type SandboxDefects, seededRandom} from '../../src/sandbox/index.js'
import {runCli} from '../helpers/cli.js'
import {FaultWorld, ROUTE_OF, totals} from './harness.js'

interface Scenario {
  name: string
  seed: number
  /** The defects during the first run. */
  first: SandboxDefects
  /** The defects during the second run: none unless given (a fault that never goes away). */
  second?: SandboxDefects
  /** Push flags for the first run, and for the second when the fault stays on. */
  args: string[]
  /** Exit codes the first run may end with. */
  firstExits: number[]
  /** Faults that must have fired during the first run, so that it tested something. */
  fired: FaultName[]
  connectionClose?: boolean
}

/**
 * Every seed of the suite is shifted by FAULT_SEED (default 0): the same runs every
 * time, and other worlds and fault streams on demand (`FAULT_SEED=7 npm run test:faults`).
 */
const SHIFT = Number(process.env.FAULT_SEED ?? 0)
const seed = (n: number): number => n + SHIFT * 1000

/** Fires once, on the `n`th request the server sees. */
function onRequest(n: number): FaultRule {
  let seen = 0
  return () => ++seen === n
}

/** Fires with probability `p` (a seeded stream), but never on the first `skip` requests it sees: those that plan the run. */
function afterPlanning(skip: number, p: number, streamSeed: number): FaultRule {
  let seen = 0
  const random = seededRandom(streamSeed)
  return () => ++seen > skip && random() < p
}

/** Trust every read: these servers do not cache. */
const TRUST = ['--stale-window', '0']

const scenarios: Scenario[] = [
  {
    name: '500 before a write',
    seed: seed(101),
    first: {failBeforeWrite: {probability: 0.25, seed: seed(101)}},
    args: ['--retries', '1', ...TRUST],
    firstExits: [4],
    fired: ['failBeforeWrite'],
  },
  {
    name: 'connection dropped after a write',
    seed: seed(102),
    first: {dropAfterWrite: {probability: 0.15, seed: seed(102)}},
    args: TRUST,
    // Lost answers to creates are settled by reading; a PUT that loses all four answers stays unconfirmed (8).
    firstExits: [0, 8],
    fired: ['dropAfterWrite'],
  },
  {
    name: 'timeouts (answers held longer than --timeout, writes landing late)',
    seed: seed(103),
    first: {stall: {probability: 0.03, seed: seed(103)}, stallMs: 2500},
    args: ['--timeout', '1', '--retries', '2', ...TRUST],
    firstExits: [0, 4, 8],
    fired: ['stall'],
  },
  {
    name: 'slow responses, every run',
    seed: seed(104),
    first: {latencyMs: 20, stall: {probability: 0.1, seed: seed(104)}, stallMs: 500},
    second: {latencyMs: 20, stall: {probability: 0.1, seed: seed(1040)}, stallMs: 500},
    args: ['--timeout', '5', ...TRUST],
    firstExits: [0],
    fired: ['stall'],
  },
  {
    name: '429 with Retry-After, every run',
    seed: seed(105),
    first: {throttle: {every: 25}, retryAfterSeconds: 1},
    second: {throttle: {every: 25}, retryAfterSeconds: 1},
    args: TRUST,
    firstExits: [0],
    fired: ['throttle'],
  },
  {
    name: 'truncated bodies',
    seed: seed(106),
    first: {truncateBody: {every: 3}},
    args: TRUST,
    // A read cut off on every attempt while planning ends the run before any write: 6.
    firstExits: [0, 4, 6, 8],
    fired: ['truncateBody'],
  },
  {
    name: 'bodies that are not JSON',
    seed: seed(107),
    first: {garbleBody: afterPlanning(12, 0.04, seed(107))},
    args: TRUST,
    firstExits: [0, 4, 7, 8],
    fired: ['garbleBody'],
  },
  {
    name: 'the server dies mid-run and comes back after the retries gave up',
    seed: seed(108),
    first: {outage: onRequest(150), outageMs: 2500},
    args: ['--retries', '2', ...TRUST],
    firstExits: [4, 6, 8],
    fired: ['outage'],
  },
  {
    name: 'the server dies mid-run and comes back within the retries',
    seed: seed(109),
    first: {outage: onRequest(120), outageMs: 300},
    args: TRUST,
    firstExits: [0, 4, 8],
    fired: ['outage'],
  },
  {
    name: 'network weather: 429, timeouts, truncated bodies, latency',
    seed: seed(110),
    // Truncation spares the answers that plan the run (the truncated-bodies scenario covers those).
    first: {throttle: {every: 40}, stall: {probability: 0.02, seed: seed(110)}, stallMs: 2500, truncateBody: afterPlanning(8, 0.4, seed(110)), latencyMs: 5},
    args: ['--timeout', '1', '--retries', '2', ...TRUST],
    firstExits: [0, 4, 6, 8],
    fired: ['throttle', 'stall', 'truncateBody'],
  },
  {
    name: 'every transient fault at once',
    seed: seed(111),
    first: {
      failBeforeWrite: {probability: 0.05, seed: seed(111)},
      dropAfterWrite: {probability: 0.05, seed: seed(112)},
      throttle: {every: 50},
      stall: {probability: 0.01, seed: seed(113)},
      stallMs: 2500,
      truncateBody: {probability: 0.03, seed: seed(114)},
      garbleBody: afterPlanning(12, 0.01, seed(115)),
      outage: onRequest(200),
      outageMs: 1500,
    },
    args: ['--timeout', '1', '--retries', '2', ...TRUST],
    firstExits: [0, 4, 6, 7, 8],
    fired: ['failBeforeWrite', 'dropAfterWrite', 'outage'],
    connectionClose: true,
  },
]

function report(t: TestContext, fw: FaultWorld, started: number): void {
  totals.scenarios++
  totals.operations += fw.runs[0]?.doc?.operations.length ?? 0
  for (const line of fw.summary()) t.diagnostic(line)
  t.diagnostic(`scenario took ${Date.now() - started} ms`)
}

function writesSent(fw: FaultWorld, run: number): number {
  return Object.entries(fw.runs[run]!.stats.byRoute)
    .filter(([route]) => /^(POST|PUT|DELETE) /.test(route))
    .reduce((n, [, count]) => n + count, 0)
}

describe('faults: the server holds the files after at most two runs, and every run tells the truth', () => {
  after(() => {
    console.log(
      `# fault suite: ${totals.scenarios} scenarios, ${totals.runs} runs, ${totals.operations} operations planned by first runs, ` +
        `${totals.requests} requests, ${totals.faults} faults fired`,
    )
  })

  for (const s of scenarios) {
    it(s.name, async (t) => {
      const started = Date.now()
      const fw = await FaultWorld.start(s.seed, {connectionClose: s.connectionClose})
      try {
        const first = await fw.push('run 1', s.first, s.args)
        assert.ok(first.doc === undefined || first.doc.operations.length >= 250, 'a few hundred operations')
        assert.ok(s.firstExits.includes(first.code), `run 1 exit ${first.code}, expected one of ${s.firstExits}`)
        for (const f of s.fired) assert.ok((first.stats.faults[f] ?? 0) > 0, `${f} fired`)
        // With the fault gone, the second run is an ordinary one: default timeout and retries.
        const second = await fw.push('run 2', s.second ?? {}, s.second ? s.args : TRUST)
        assert.equal(second.code, 0, 'run 2 ends in sync')
        fw.assertServerMatchesFiles()
        if (first.code === 0) assert.equal(writesSent(fw, 1), 0, 'nothing is sent again after a run that ended in sync')
        if (s.fired.length === 1 && s.fired[0] === 'dropAfterWrite') assert.ok(first.doc!.apply.counts.reconciled > 0, 'lost answers were settled by reading')
        if (s.name.startsWith('429')) {
          const throttled = first.stats.faults.throttle ?? 0
          assert.ok(first.ms >= (throttled * 1000) / 4, `Retry-After honoured: ${throttled} answers of 429 waited 1 s each, 4 at a time, yet the run took ${first.ms} ms`)
        }
      } finally {
        report(t, fw, started)
        await fw.close()
      }
    })
  }

  it('stale reads for 300 s: the second run seconds later sends nothing again', async (t) => {
    const started = Date.now()
    const fw = await FaultWorld.start(seed(201))
    const stale = {staleReadsTtlMs: 300_000}
    try {
      const first = await fw.push('run 1', stale)
      assert.equal(first.code, 8, 'the read-back is the cached answer: unconfirmed')
      fw.assertServerMatchesFiles()
      const second = await fw.push('run 2', stale)
      assert.equal(second.code, 8, 'still unconfirmed: the answers are stale')
      assert.equal(writesSent(fw, 1), 0, 'nothing is sent again')
      assert.ok((second.stats.faults.staleReadsTtlMs ?? 0) > 0, 'stale answers were served')
      fw.assertServerMatchesFiles()

      // Once the cache is gone, a trusted read confirms it.
      fw.sandbox.clearCache()
      const diff = await runCli(['diff', '--exit-code', '--stale-window', '0', '--server', fw.sandbox.url, '--maps-dir', fw.dir])
      assert.equal(diff.code, 0, diff.stdout + diff.stderr)
    } finally {
      report(t, fw, started)
      await fw.close()
    }
  })

  it('the reference server: 500s, dropped answers and stale reads together, Connection: close', async (t) => {
    const started = Date.now()
    const fw = await FaultWorld.start(seed(202), {connectionClose: true})
    const stale = {staleReadsTtlMs: 300_000}
    try {
      const first = await fw.push('run 1', {...stale, failBeforeWrite: {probability: 0.1, seed: seed(202)}, dropAfterWrite: {probability: 0.1, seed: seed(203)}}, [
        '--retries',
        '1',
      ])
      assert.ok([4, 8].includes(first.code), `run 1 exit ${first.code}`)
      assert.ok((first.stats.faults.failBeforeWrite ?? 0) > 0 && (first.stats.faults.dropAfterWrite ?? 0) > 0)
      // Seconds later, the server still answers from its cache: what run 1 left in doubt
      // (a create whose answer was lost and that no read shows) cannot be settled yet,
      // and is neither sent again nor reported as done.
      const second = await fw.push('run 2 (seconds later)', stale, ['--retries', '1'])
      assert.ok([0, 4, 8].includes(second.code), `run 2 exit ${second.code}`)
      // Once the cache has expired, the next run sees the truth and finishes.
      fw.sandbox.clearCache()
      const third = await fw.push('run 3 (cache expired)', stale, ['--retries', '1'])
      assert.ok([0, 8].includes(third.code), `run 3 exit ${third.code}`)
      fw.assertServerMatchesFiles()
      fw.sandbox.clearCache()
      const diff = await runCli(['diff', '--exit-code', '--stale-window', '0', '--server', fw.sandbox.url, '--maps-dir', fw.dir])
      assert.equal(diff.code, 0, diff.stdout + diff.stderr)
    } finally {
      report(t, fw, started)
      await fw.close()
    }
  })

  it('ignored obstacle deletes: never in sync, said on every run, never re-sent', async (t) => {
    const started = Date.now()
    const fw = await FaultWorld.start(seed(301))
    const ignored = {ignoreObstacleDeletes: true}
    try {
      const first = await fw.push('run 1', ignored, TRUST)
      assert.equal(first.code, 8)
      assert.ok((first.stats.faults.ignoreObstacleDeletes ?? 0) > 0)
      assert.ok(first.doc!.verification!.maps.some((m) => m.verdict === 'not-applied'))
      const second = await fw.push('run 2', ignored, TRUST)
      assert.equal(second.code, 8)
      assert.equal(second.stats.byRoute[ROUTE_OF.deleteObstacle] ?? 0, 0, 'an acknowledged delete is not sent again')
      assert.ok(second.doc!.verification!.maps.some((m) => m.differences.some((d) => /still present: an earlier delete was acknowledged/.test(d))))
      // Everything else is in sync: only the obstacles the server would not delete remain.
      fw.assertServerMatchesFiles(fw.obstaclesOnlyInSeed())
    } finally {
      report(t, fw, started)
      await fw.close()
    }
  })
})
