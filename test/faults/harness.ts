/**
 * The fault suite's harness: a generated world in a temporary maps directory, the
 * sandbox holding the world's server state, and `gridsync push --json` run as a user
 * would run it, with the sandbox's defects switched on. After every run it checks that
 * what the run said is true of the server, and that nothing was duplicated or invented.
 */
import assert from 'node:assert/strict'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {type GridMap, positionKey} from '../../src/model/types.js'
import {type Sandbox, type SandboxDefects, type SandboxMapState, type SandboxStats, startSandbox} from '../../src/sandbox/index.js'
import {type CliResult, runCli} from '../helpers/cli.js'
import {content} from '../helpers/maps.js'
import {generateWorld, type World, type WorldOptions} from './world.js'

/** The route each kind of operation writes to, as the sandbox counts requests. */
export const ROUTE_OF = {
  createMap: 'POST /api/maps/',
  updateMap: 'PUT /api/maps/<map>/',
  deleteMap: 'DELETE /api/maps/<map>/',
  createObserver: 'POST /api/maps/<map>/observers/',
  updateObserver: 'PUT /api/maps/<map>/observers/<observer>/',
  deleteObserver: 'DELETE /api/maps/<map>/observers/<observer>/',
  createObstacle: 'POST /api/maps/<map>/obstacles/',
  deleteObstacle: 'DELETE /api/maps/<map>/obstacles/<x>/<y>/',
} as const

type Kind = keyof typeof ROUTE_OF
const CREATES: readonly Kind[] = ['createMap', 'createObserver', 'createObstacle']

interface ResultDoc {
  id: number
  kind: Kind
  map: string
  outcome: 'applied' | 'reconciled' | 'unconfirmed' | 'failed' | 'skipped'
  detail?: string
}

interface PushDoc {
  operations: Array<{id: number; kind: Kind; map: string}>
  maps: Array<{name: string; action: string; notes: string[]}>
  apply: {counts: Record<ResultDoc['outcome'], number>; results: ResultDoc[]}
  verification?: {skipped: boolean; maps: Array<{name: string; verdict: string; differences: string[]; advice?: string}>}
  /** Set when the push stopped sending early (the server stopped answering): its exit code. */
  stopped?: {reason: string; exitCode: number; sent: number; notSent: number}
}

interface ErrorDoc {
  status: 'error'
  exitCode: number
  error: {code: string; message: string}
}

export interface RunRecord {
  label: string
  code: number
  doc?: PushDoc
  error?: ErrorDoc
  stats: SandboxStats
  snapshot: SandboxMapState[]
  ms: number
}

/** Totals over a whole suite, printed at its end. */
export const totals = {scenarios: 0, runs: 0, operations: 0, requests: 0, faults: 0}

export class FaultWorld {
  readonly runs: RunRecord[] = []

  private constructor(
    readonly world: World,
    readonly dir: string,
    readonly sandbox: Sandbox,
  ) {}

  static async start(seed: number, opts: {world?: WorldOptions; connectionClose?: boolean} = {}): Promise<FaultWorld> {
    const world = generateWorld(seed, opts.world)
    const dir = await mkdtemp(path.join(tmpdir(), 'gridsync-faults-'))
    for (const [file, text] of Object.entries(world.files)) await writeFile(path.join(dir, file), text)
    const sandbox = await startSandbox({seed: world.seed, connectionClose: opts.connectionClose})
    return new FaultWorld(world, dir, sandbox)
  }

  async close(): Promise<void> {
    await this.sandbox.close()
    await rm(this.dir, {recursive: true, force: true})
  }

  /** Runs `gridsync push --json --prune --yes` with these defects on, then checks what it said. */
  async push(label: string, defects: SandboxDefects, args: readonly string[] = []): Promise<RunRecord> {
    this.sandbox.defects = {...defects}
    this.sandbox.resetStats()
    const started = Date.now()
    const result = await runCli(['push', '--json', '--prune', '--yes', '--server', this.sandbox.url, '--maps-dir', this.dir, ...args])
    const ms = Date.now() - started
    // Writes held by a stalled server land late; outages end. Judge the run on what the server ends up with.
    await this.sandbox.idle()
    this.sandbox.defects = {}
    const run: RunRecord = {
      label,
      code: result.code,
      ...parseOutput(result),
      stats: structuredClone(this.sandbox.stats),
      snapshot: this.sandbox.snapshot(),
      ms,
    }
    this.runs.push(run)
    totals.runs++
    totals.requests += run.stats.total
    totals.faults += Object.values(run.stats.faults).reduce((a, b) => a + b, 0)
    checkRun(run, this.world)
    return run
  }

  /** The server holds exactly the files (plus, per map, the obstacles in `kept`). */
  assertServerMatchesFiles(kept: ReadonlyMap<string, readonly string[]> = new Map()): void {
    const server = this.sandbox.snapshot()
    const expected = this.world.local.map((m) => {
      const c = content(m)!
      return {...c, obstacles: [...new Set([...c.obstacles, ...(kept.get(m.name) ?? [])])].sort()}
    })
    assert.deepEqual(server.map(content).sort(byName), expected.sort(byName), 'the server holds exactly the files')
    assertNoDuplicates(server)
  }

  /** Obstacles of the starting server state that the files do not have, per map with a file. */
  obstaclesOnlyInSeed(): Map<string, string[]> {
    const out = new Map<string, string[]>()
    for (const m of this.world.local) {
      const seeded = this.world.seed.find((s) => s.name === m.name)
      if (!seeded) continue
      const wanted = new Set(m.obstacles.map(positionKey))
      out.set(
        m.name,
        (seeded.obstacles ?? []).map(positionKey).filter((k) => !wanted.has(k)),
      )
    }
    return out
  }

  /** One line per run for the test output: exit code, operations, outcomes, requests and faults fired. */
  summary(): string[] {
    return this.runs.map((r) => {
      const notes = r.doc?.maps.filter((m) => m.action === 'conflict').map((m) => `; conflict on "${m.name}": ${m.notes.join(' ')}`) ?? []
      const outcome = r.doc
        ? `${r.doc.operations.length} operations ${JSON.stringify(r.doc.apply.counts)}${notes.join('')}`
        : `error ${r.error?.error.code}: ${r.error?.error.message}`
      return `${r.label}: exit ${r.code} in ${r.ms} ms; ${outcome}; ${r.stats.total} requests; faults ${JSON.stringify(r.stats.faults)}`
    })
  }
}

function byName(a: {name: string} | undefined, b: {name: string} | undefined): number {
  const [x, y] = [a?.name ?? '', b?.name ?? '']
  return x < y ? -1 : x > y ? 1 : 0
}

function parseOutput(result: CliResult): {doc?: PushDoc; error?: ErrorDoc} {
  let parsed: unknown
  try {
    parsed = JSON.parse(result.stdout)
  } catch {
    assert.fail(`push --json did not print one JSON document (exit ${result.code}):\n${result.stdout}\n${result.stderr}`)
  }
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace')
  if ((parsed as ErrorDoc).status === 'error') return {error: parsed as ErrorDoc}
  return {doc: parsed as PushDoc}
}

/** The exit code the README gives for what the report says happened. */
export function exitCodeOf(doc: PushDoc): number {
  if (doc.stopped) return doc.stopped.exitCode
  const c = doc.apply.counts
  if (c.failed > 0 || c.skipped > 0 || doc.maps.some((m) => m.action === 'conflict')) return 4
  if (doc.maps.some((m) => m.action === 'invalid')) return 5
  if (c.unconfirmed > 0) return 8
  if (doc.verification?.maps.some((m) => m.verdict !== 'confirmed')) return 8
  return 0
}

function assertNoDuplicates(server: readonly SandboxMapState[]): void {
  for (const m of server) {
    const keys = m.obstacles.map(positionKey)
    const dup = keys.filter((k, i) => keys.indexOf(k) !== i)
    assert.deepEqual(dup, [], `duplicate obstacles on ${m.name}`)
  }
  const names = server.flatMap((m) => m.observers.map((o) => o.name))
  assert.equal(new Set(names).size, names.length, 'an observer name twice')
}

/**
 * What must hold after any run, whatever went wrong during it:
 * - the exit code is the one its report stands for, and the report accounts for every operation;
 * - a map the report calls confirmed holds exactly its file; exit 0 means the whole server does;
 * - no create was carried out twice (no duplicates), and every write reported applied reached the server;
 * - the server holds nothing that is neither in the files nor was there before.
 */
function checkRun(run: RunRecord, world: World): void {
  const where = `${run.label} (exit ${run.code})`
  if (run.error) {
    assert.equal(run.error.exitCode, run.code, `${where}: the JSON error names the exit code`)
    assert.ok([6, 7].includes(run.code), `${where}: an error run is a network (6) or contract (7) failure: ${run.error.error.message}`)
    assert.match(run.error.error.message, /^\S.*\S$/, `${where}: a one-line message`)
  } else {
    const doc = run.doc!
    const {results, counts} = doc.apply
    assert.equal(results.length, doc.operations.length, `${where}: one result per operation`)
    assert.equal(
      Object.values(counts).reduce((a, b) => a + b, 0),
      results.length,
      `${where}: the counts add up`,
    )
    assert.equal(run.code, exitCodeOf(doc), `${where}: the exit code matches the report`)

    const local = new Map(world.local.map((m) => [m.name, m]))
    for (const v of doc.verification?.maps ?? []) {
      const held = run.snapshot.find((m) => m.name === v.name)
      if (v.verdict === 'confirmed') {
        assert.deepEqual(content(held), content(local.get(v.name)), `${where}: "${v.name}" is confirmed, so it holds its file`)
      } else {
        assert.ok(v.differences.length > 0 || v.advice, `${where}: "${v.name}" is ${v.verdict} and says why`)
      }
    }
    if (run.code === 0) {
      assert.deepEqual(run.snapshot.map(content).sort(byName), world.local.map(content).sort(byName), `${where}: exit 0, so the server holds the files`)
    }

    const planned = (kind: Kind) => doc.operations.filter((op) => op.kind === kind).length
    const applied = (kind: Kind) => results.filter((r) => r.kind === kind && r.outcome === 'applied').length
    for (const kind of Object.keys(ROUTE_OF) as Kind[]) {
      const succeeded = run.stats.succeeded[ROUTE_OF[kind]] ?? 0
      assert.ok(succeeded >= applied(kind), `${where}: ${applied(kind)} ${kind} reported applied, the server carried out ${succeeded}`)
      if (CREATES.includes(kind)) assert.ok(succeeded <= planned(kind), `${where}: ${planned(kind)} ${kind} planned, the server carried out ${succeeded}`)
    }
  }

  assertNoDuplicates(run.snapshot)
  assertNothingInvented(run.snapshot, world, where)
}

function assertNothingInvented(server: readonly SandboxMapState[], world: World, where: string): void {
  const known = (name: string): {obstacles: Set<string>; observers: Set<string>} | undefined => {
    const sources: GridMap[] = [...world.local.filter((m) => m.name === name)]
    const seeded = world.seed.find((m) => m.name === name)
    if (!sources.length && !seeded) return undefined
    const observers = new Set(sources.flatMap((m) => m.observers.map((o) => o.name)))
    for (const o of world.seed.flatMap((m) => m.observers ?? [])) observers.add(o.name)
    return {
      obstacles: new Set([...sources.flatMap((m) => m.obstacles.map(positionKey)), ...(seeded?.obstacles ?? []).map(positionKey)]),
      observers,
    }
  }

  for (const m of server) {
    const k = known(m.name)
    assert.ok(k, `${where}: the server holds a map "${m.name}" that nobody asked for`)
    for (const p of m.obstacles) assert.ok(k.obstacles.has(positionKey(p)), `${where}: obstacle (${positionKey(p)}) on "${m.name}" came from nowhere`)
    for (const o of m.observers) assert.ok(k.observers.has(o.name), `${where}: observer "${o.name}" came from nowhere`)
  }
}
