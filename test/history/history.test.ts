/**
 * The randomized history test: seeded random sequences of local edits, edits by
 * another client through the API, server resets, cache expiries, ignored obstacle
 * deletes, killed runs and gridsync runs (the built CLI against the sandbox). After
 * every run, each claim of its `--json` report and its exit code is checked against
 * the sandbox's true state (`snapshot()`, the data behind the cache):
 *
 *  1. exit 0 of push or of `diff --exit-code`: every file's map equals the server's
 *     (with --prune: no other map is there);
 *  2. a map verified `confirmed` holds its file;
 *  3. `not-applied` and refuted deletes name objects truly on the server, not in the file;
 *  4. no duplicate obstacle row (or observer name) on the server, ever;
 *  5. no object lost: the other client's edit survives every push without --force
 *     (a map in conflict is left exactly as it was); local edits reach the server;
 *  6. convergence: after a cache expiry and no edits, at most two pushes make the
 *     server hold the files (plus, where the server ignores obstacle deletes, exactly
 *     the obstacles it would not delete, named by the push with exit 8), the last
 *     push exiting 0 when nothing is refuted;
 *  7. exit codes from the documented table, never 1.
 * Besides, every map action is checked as a statement about the server (create: not
 * there; update, unchanged, delete, untracked: there; unchanged: equal to the file) and
 * every write reported applied against the writes the server carried out.
 *
 * `npm test` runs 3 seeds; `npm run test:history` takes HISTORY_SEEDS=N (seeds 1..N),
 * HISTORY_SEED=N (that seed alone), HISTORY_STEPS (random steps per seed, default 12),
 * HISTORY_CONCURRENCY (seeds at a time, default 3) and HISTORY_KEEP_GOING=1 (report
 * every failed check of a seed instead of stopping at the first), HISTORY_VERBOSE=1 (print
 * each seed's steps).
 */
import {AssertionError} from 'node:assert'
import {appendFile} from 'node:fs/promises'
import {after, describe, it} from 'node:test'

import type {SandboxMapState} from '../../src/sandbox/index.js'
import {ROUTE_OF} from '../faults/harness.js'
import {
  describeEdit,
  editLive,
  type FileMap,
  type ForeignChange,
  key,
  pushArgs,
  pushHasFlag,
  type Run,
  type RunFlags,
  sameShape,
  type Shape,
  shapeOfFile,
  shapeOfTruth,
  undoChange,
  unwritable,
  World,
} from './world.js'

// ---------------------------------------------------------------------------------
// The adapter: every field of gridsync's JSON documents this test relies on is read
// here and nowhere else. Today `push --json` prints `maps[]` (`name`, `action`),
// `operations[]` (`kind`, `map`), `apply.results[]` (`kind`, `map`, `outcome`) and
// `verification.maps[]` (`name`, `verdict`: confirmed | unconfirmed | not-applied |
// incomplete, `differences[]`); `diff --json` prints `maps[]` and `operations[]`; an
// error is `{status: "error", exitCode, error: {message}}`. Expected from the rewrite of
// issue #11: a top-level `exitCode`, a `conflict` verdict beside the `conflict` action,
// and per-map evidence (any string in a map's entry that speaks of an acknowledged or
// refuted delete is read as a statement about the server, whatever field holds it).
// ---------------------------------------------------------------------------------

/** A statement about the server's current state, with the text it was read from. */
export type Fact =
  | {kind: 'obstacle-present' | 'obstacle-absent'; x: number; y: number; text: string}
  | {kind: 'observer-present' | 'observer-absent'; name: string; text: string}
  | {kind: 'observer-at'; name: string; x: number; y: number; text: string}
  | {kind: 'observer-vision'; name: string; vision: number | null; text: string}
  | {kind: 'size'; width: number; height: number; text: string}
  | {kind: 'map-absent'; text: string}

export interface MapClaim {
  name: string
  /** The plan's action: create | update | delete | unchanged | untracked | invalid | conflict. */
  action?: string
  /** push only: the read-back's verdict. */
  verdict?: string
  /** The kind of evidence the plan's view of the map rests on (read, writes, gone, unlisted, listing). */
  evidence?: string
  /** Action rename: the old name. */
  renamedFrom?: string
  /** Until when the report says the evidence cannot tell (ms since the epoch), when it says so. */
  evidenceUntil?: number
  /** What the report states as fact about the server for this map. */
  facts: Fact[]
}

export interface Claims {
  /** The exit code the document itself states, when it states one. */
  exitCode?: number
  error?: string
  maps: MapClaim[]
  operations: Array<{kind: string; map: string}>
  results: Array<{kind: string; map: string; outcome: string}>
}

export function claimsOf(doc: any): Claims {
  if (doc?.status === 'error') return {exitCode: doc.exitCode, error: String(doc.error?.message), maps: [], operations: [], results: []}
  const maps = new Map<string, MapClaim>()
  const entry = (name: string): MapClaim => {
    let m = maps.get(name)
    if (!m) maps.set(name, (m = {name, facts: []}))
    return m
  }
  for (const m of doc?.maps ?? []) {
    const c = entry(m.name)
    c.action = m.action
    c.evidence = m.evidence?.kind
    if (typeof m.renamedFrom === 'string') c.renamedFrom = m.renamedFrom
    if (typeof m.evidence?.until === 'string') c.evidenceUntil = Date.parse(m.evidence.until)
    // A map to rebuild names the deletes refused before the run: what the run then removes.
    if (m.action !== 'rebuild') c.facts.push(...refutations(m))
  }
  for (const v of doc?.verification?.maps ?? []) {
    const c = entry(v.name)
    c.verdict = v.verdict
    // A not-applied verdict states what the server holds; other verdicts may quote a stale read.
    const stated: string[] = v.verdict === 'not-applied' ? (v.differences ?? []) : []
    c.facts.push(...stated.flatMap(factsIn), ...refutations(v).filter((f) => !stated.includes(f.text)))
  }
  return {
    exitCode: typeof doc?.exitCode === 'number' ? doc.exitCode : undefined,
    maps: [...maps.values()],
    operations: (doc?.operations ?? []).map((o: any) => ({kind: o.kind, map: o.map})),
    results: (doc?.apply?.results ?? []).map((r: any) => ({kind: r.kind, map: r.map, outcome: r.outcome})),
  }
}

/** Facts in the strings of an entry that speak of a delete acknowledged but not carried out. */
function refutations(entry: unknown): Fact[] {
  const strings: string[] = []
  const walk = (v: unknown): void => {
    if (typeof v === 'string') strings.push(v)
    else if (Array.isArray(v)) v.forEach(walk)
    else if (v && typeof v === 'object') Object.values(v).forEach(walk)
  }
  walk(entry)
  return strings.filter((s) => /acknowledged|refuted/i.test(s)).flatMap(factsIn)
}

/** The wording of gridsync's differences, one fact each; text it does not recognise states nothing checkable. */
function factsIn(text: string): Fact[] {
  let m: RegExpMatchArray | null
  if ((m = text.match(/^obstacle \((\d+),\s*(\d+)\) (still present|missing)/))) {
    return [{kind: m[3] === 'missing' ? 'obstacle-absent' : 'obstacle-present', x: Number(m[1]), y: Number(m[2]), text}]
  }
  if ((m = text.match(/^observer "(.*)" (still present|missing)/))) return [{kind: m[2] === 'missing' ? 'observer-absent' : 'observer-present', name: m[1]!, text}]
  if ((m = text.match(/^observer "(.*)" at \((\d+),(\d+)\)/))) return [{kind: 'observer-at', name: m[1]!, x: Number(m[2]), y: Number(m[3]), text}]
  if ((m = text.match(/^observer "(.*)" vision (\S+), the file/))) {
    return [{kind: 'observer-vision', name: m[1]!, vision: m[2] === 'unlimited' ? null : Number(m[2]), text}]
  }
  if ((m = text.match(/^size is (\d+)x(\d+)/))) return [{kind: 'size', width: Number(m[1]), height: Number(m[2]), text}]
  if (/^the map is not on the server/.test(text)) return [{kind: 'map-absent', text}]
  return []
}

// ---------------------------------------------------------------------------------

const PUSH_CODES = [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11]
const DIFF_CODES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 11]
/** What this world can cause: valid files, a healthy server, --yes with every --prune, no overlapping runs. */
const CAUSED = {push: [0, 4, 8], diff: [0, 3, 4, 8]}

const env = process.env
const SEEDS = env.HISTORY_SEED ? [Number(env.HISTORY_SEED)] : Array.from({length: Number(env.HISTORY_SEEDS ?? 3)}, (_, i) => i + 1)
const STEPS = Number(env.HISTORY_STEPS ?? 12)
const KEEP_GOING = env.HISTORY_KEEP_GOING === '1'
const CONCURRENCY = Number(env.HISTORY_CONCURRENCY ?? 3)
const VERBOSE = env.HISTORY_VERBOSE === '1'

const totals = {seeds: 0, steps: 0, runs: 0, killed: 0, gridsyncWrites: 0, requests: 0, foreignOps: 0, claims: 0, failed: 0}

class Judge {
  claims = 0
  failures: string[] = []
  private run: Run | undefined

  constructor(readonly world: World) {}

  /** The run the following checks are about (its output goes into a failure report). */
  about(run: Run | undefined): void {
    this.run = run
  }

  check(ok: boolean, what: string, detail?: () => string): void {
    this.claims++
    totals.claims++
    if (ok) return
    const report = this.report(what, detail?.())
    this.failures.push(report)
    totals.failed++
    if (!KEEP_GOING) throw new AssertionError({message: report})
    console.log(report)
  }

  private report(what: string, detail: string | undefined): string {
    const w = this.world
    const run = this.run
    let doc = run?.stdout ?? ''
    try {
      doc = JSON.stringify(JSON.parse(doc))
    } catch {}
    return [
      `history seed ${w.seed} (${w.kind.stale ? `stale reads ${w.sandbox.defects.staleReadsTtlMs} ms` : 'no cache'}, ${w.kind.ignoreDeletes ? 'obstacle deletes ignored' : 'obstacle deletes carried out'}), after step ${w.steps.length}: ${what}`,
      ...(detail ? [detail] : []),
      `reproduce: HISTORY_SEED=${w.seed} HISTORY_STEPS=${STEPS} npm run test:history`,
      'steps:',
      ...w.steps.map((s) => `  ${s}`),
      ...(run
        ? [
            `last run: gridsync ${run.args.join(' ')} -> ${run.killed ? 'killed' : `exit ${run.code}`}`,
            `stdout: ${clip(doc, 8000)}`,
            `stderr: ${clip(run.stderr, 2000)}`,
            `truth before the run: ${JSON.stringify(run.before.map(shapeOfTruth))}`,
          ]
        : []),
      `truth: ${JSON.stringify(w.truth().map(shapeOfTruth))}`,
      `files: ${JSON.stringify([...w.files.values()].map(shapeOfFile))}`,
      `other client's edits pending: ${JSON.stringify(w.pending)}`,
    ].join('\n')
  }
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n)}... (${s.length - n} more characters)`
}

const truthOf = (state: readonly SandboxMapState[], name: string) => state.find((m) => m.name === name)

function show(s: Shape | undefined): string {
  return s ? JSON.stringify(s) : 'absent'
}

/** The server's map equals the file (both absent counts as equal), leaving aside objects the report names as refuted. */
function holds(truth: SandboxMapState | undefined, file: FileMap | undefined, named: Fact[] = []): boolean {
  if (!truth || !file) return !truth && !file
  const t = shapeOfTruth(truth)
  const skipObstacles = new Set(named.flatMap((f) => (f.kind === 'obstacle-present' ? [key(f.x, f.y)] : [])))
  const skipObservers = new Set(named.flatMap((f) => (f.kind === 'observer-present' ? [f.name] : [])))
  const trimmed: Shape = {
    ...t,
    obstacles: t.obstacles.filter((k) => !skipObstacles.has(k)),
    observers: t.observers.filter((o) => !skipObservers.has(o.slice(0, o.lastIndexOf('@')))),
  }
  return sameShape(trimmed, shapeOfFile(file))
}

function factHolds(f: Fact, truth: SandboxMapState | undefined, file: FileMap | undefined): boolean {
  const obstacleAt = (m: SandboxMapState | undefined, x: number, y: number) => Boolean(m?.obstacles.some((p) => p.x === x && p.y === y))
  const observer = truth?.observers.find((o) => 'name' in f && o.name === f.name)
  switch (f.kind) {
    case 'obstacle-present':
      return obstacleAt(truth, f.x, f.y) && !file?.obstacles.has(key(f.x, f.y))
    case 'obstacle-absent':
      return Boolean(truth) && !obstacleAt(truth, f.x, f.y)
    case 'observer-present':
      return Boolean(observer) && !file?.observers.some((o) => o.name === f.name)
    case 'observer-absent':
      return Boolean(truth) && !observer
    case 'observer-at':
      return observer?.x === f.x && observer.y === f.y
    case 'observer-vision':
      return Boolean(observer) && observer!.vision === f.vision
    case 'size':
      return truth?.width === f.width && truth.height === f.height
    case 'map-absent':
      return !truth
  }
}

function parseDoc(judge: Judge, run: Run): Claims | undefined {
  let doc: unknown
  try {
    doc = JSON.parse(run.stdout)
  } catch {}
  judge.check(doc !== undefined, `${run.command} --json prints one JSON document`)
  if (doc === undefined) return undefined
  const claims = claimsOf(doc)
  if (claims.exitCode !== undefined) judge.check(claims.exitCode === run.code, `the document's exitCode ${claims.exitCode} is the exit code ${run.code}`)
  return claims
}

/** Check 7, and the document's own exit code. */
function judgeExit(judge: Judge, run: Run): void {
  const code = run.code!
  judge.check(code !== 1, 'a run never exits 1 (an unexpected error)')
  judge.check((run.command === 'push' ? PUSH_CODES : DIFF_CODES).includes(code), `exit ${code} is in the documented table for ${run.command}`)
  judge.check(CAUSED[run.command].includes(code), `exit ${code}: nothing in this world causes it (${run.command} may end with ${CAUSED[run.command].join(', ')})`)
}

/**
 * What a run could have seen of a map: the true state, and, where the server caches
 * reads, the same state without the other client's changes of the last TTL before the
 * run (a cached answer may predate them, and no client can tell). gridsync's own writes,
 * resets (which empty the cache) and the existence of a map that has a file (a 404 is
 * never cached, a 200 proves the map is there) are never excused.
 */
class View {
  readonly hidden: ForeignChange[]

  constructor(
    readonly world: World,
    readonly run: Run,
  ) {
    this.hidden = world.hiddenChanges(run.startedAt)
  }

  before(name: string): Array<SandboxMapState | undefined> {
    return this.candidates(truthOf(this.run.before, name), name)
  }

  after(name: string): Array<SandboxMapState | undefined> {
    return this.candidates(truthOf(this.run.after, name), name)
  }

  private candidates(state: SandboxMapState | undefined, name: string): Array<SandboxMapState | undefined> {
    const out = [state]
    let s = state
    for (const c of [...this.hidden].reverse()) {
      if (c.map !== name) continue
      s = undoChange(s, c)
      out.push(s)
    }
    return this.world.fileByName(name) ? out.filter((x) => Boolean(x) === Boolean(state)) : out
  }

  /** Said in a failure report when older states were allowed. */
  excuse(name: string): string {
    const n = this.hidden.filter((c) => c.map === name).length
    return n === 0 ? '' : ` (also compared without the other client's ${n} change(s) to it made less than the cache's TTL before the run)`
  }

  show(name: string): string {
    const file = this.world.fileByName(name)
    const b = truthOf(this.run.before, name)
    const a = truthOf(this.run.after, name)
    return `server before: ${show(b && shapeOfTruth(b))}\nserver after:  ${show(a && shapeOfTruth(a))}\nfile:          ${show(file && shapeOfFile(file))}`
  }
}

/** Check 1: exit 0 says the server holds every file (and, with --prune, nothing else). */
function judgeInSync(judge: Judge, world: World, view: View, why: string): void {
  for (const f of world.files.values()) {
    judge.check(
      view.after(f.name).some((t) => holds(t, f)),
      `${why}, yet "${f.name}" on the server differs from its file${view.excuse(f.name)}`,
      () => view.show(f.name),
    )
  }
  if (view.run.flags.prune) {
    const extra = view.run.after.filter((m) => !world.fileByName(m.name) && view.after(m.name).every(Boolean)).map((m) => m.name)
    judge.check(extra.length === 0, `${why} with --prune, yet the server holds maps without a file: ${extra.join(', ')}`)
  }
}

/** Claims about the server each map entry makes (checks 1-3, and the actions as statements). */
function judgeMaps(judge: Judge, world: World, view: View, claims: Claims): void {
  const run = view.run
  for (const c of claims.maps) {
    const file = world.fileByName(c.name)
    const before = view.before(c.name)
    const after = view.after(c.name)
    const named = c.facts.filter((f) => f.kind === 'obstacle-present' || f.kind === 'observer-present')
    const state = () => view.show(c.name)
    const where = `"${c.name}"`
    const excuse = view.excuse(c.name)
    switch (c.action) {
      case undefined:
        break
      case 'create':
        // A create whose earlier answer was lost, where the listing may not show it yet: the
        // report says existence is unknown until a time, which must not have passed already.
        if (c.evidence === 'unlisted' && c.evidenceUntil !== undefined)
          judge.check(
            c.evidenceUntil > run.startedAt,
            `${where}: existence said unknown until ${new Date(c.evidenceUntil).toISOString()}, a time already past when the run started`,
            state,
          )
        else
          judge.check(
            before.some((t) => !t),
            `${where}: action create, yet the map was on the server`,
            state,
          )
        break
      case 'update':
        judge.check(before.some(Boolean), `${where}: action update, yet the map was not on the server`, state)
        break
      case 'rename':
        judge.check(
          c.renamedFrom !== undefined && view.before(c.renamedFrom).some(Boolean),
          `${where}: action rename, yet its old name "${c.renamedFrom}" was not on the server`,
          state,
        )
        judge.check(
          before.some((t) => !t),
          `${where}: action rename, yet a map of the new name was on the server`,
          state,
        )
        judge.check(Boolean(file), `${where}: action rename, yet it has no file`, state)
        break
      case 'unchanged':
        judge.check(before.some(Boolean), `${where}: action unchanged, yet the map was not on the server`, state)
        // Nothing to send is a claim of equality only where it rests on a read (not on gridsync's own writes, unconfirmed).
        if (c.evidence === undefined || c.evidence === 'read')
          judge.check(
            after.some((t) => holds(t, file, named)),
            `${where}: action unchanged (in sync), yet the server differs from the file${named.length ? ' beyond what the report names' : ''}${excuse}`,
            state,
          )
        break
      case 'rebuild':
        judge.check(before.some(Boolean), `${where}: action rebuild, yet the map was not on the server${excuse}`, state)
        judge.check(Boolean(file), `${where}: action rebuild, yet it has no file`, state)
        break
      case 'delete':
      case 'untracked':
        judge.check(before.some(Boolean), `${where}: action ${c.action}, yet the map was not on the server${excuse}`, state)
        judge.check(!file, `${where}: action ${c.action}, yet it has a file`, state)
        break
      case 'conflict':
        judge.check(
          before.some((t) => !holds(t, file)),
          `${where}: in conflict, yet the server already held the file${excuse}`,
          state,
        )
        break
      default:
        judge.check(false, `${where}: action ${c.action}, where every file is valid and each map is one of create|update|delete|rebuild|unchanged|untracked|conflict`, state)
    }
    if (c.action === 'conflict' || c.verdict === 'conflict') {
      if (run.command === 'push') {
        judge.check(run.code === 4, `${where}: a conflict makes push exit 4, not ${run.code}`)
        const b = truthOf(run.before, c.name)
        const a = truthOf(run.after, c.name)
        judge.check(JSON.stringify(b) === JSON.stringify(a), `${where}: a map in conflict is left alone, yet the push changed it`, state)
      } else {
        judge.check(run.code === 4, `${where}: a conflict makes diff --exit-code exit 4, not ${run.code}`)
      }
    }
    switch (c.verdict) {
      case 'confirmed':
        judge.check(
          after.some((t) => (c.action === 'delete' ? !t : holds(t, file))),
          `${where}: verified confirmed, yet the server ${c.action === 'delete' ? 'still holds the map' : 'differs from the file'}${excuse}`,
          state,
        )
        break
      case 'not-applied':
        judge.check(
          after.some((t) => !holds(t, file)),
          `${where}: verified not-applied, yet the server holds the file`,
          state,
        )
        break
    }
    for (const f of c.facts) {
      judge.check(
        after.some((t) => factHolds(f, t, file)),
        `${where}: the report states "${f.text}", which is not true of the server${f.kind.endsWith('present') ? ' (or the object is in the file)' : ''}${excuse}`,
        state,
      )
    }
  }
}

function judgePush(judge: Judge, world: World, run: Run): void {
  const view = new View(world, run)
  judgeExit(judge, run)
  const claims = parseDoc(judge, run)
  if (!claims || claims.error !== undefined) return
  const conflicts = claims.maps.filter((m) => m.action === 'conflict' || m.verdict === 'conflict')
  if (run.code === 0) {
    judge.check(conflicts.length === 0, 'exit 0, yet a map is in conflict')
    for (const m of claims.maps) if (m.verdict !== undefined) judge.check(m.verdict === 'confirmed', `exit 0, yet "${m.name}" is ${m.verdict}`)
    judgeInSync(judge, world, view, 'push exited 0')
  }
  judgeMaps(judge, world, view, claims)
  // Every write reported applied was carried out; no create was carried out more often than planned.
  for (const [kind, route] of Object.entries(ROUTE_OF)) {
    const applied = claims.results.filter((r) => r.kind === kind && r.outcome === 'applied').length
    const done = run.succeeded[route] ?? 0
    if (applied > 0) judge.check(done >= applied, `${applied} ${kind} reported applied, the server carried out ${done}`)
    if (kind.startsWith('create') && done > 0) {
      const planned = claims.operations.filter((o) => o.kind === kind).length
      judge.check(done <= planned, `${planned} ${kind} planned, the server carried out ${done}`)
    }
  }
}

function judgeDiff(judge: Judge, world: World, run: Run): void {
  const view = new View(world, run)
  judgeExit(judge, run)
  const claims = parseDoc(judge, run)
  if (!claims || claims.error !== undefined) return
  if (run.code === 0) {
    judge.check(claims.operations.length === 0, 'diff --exit-code exited 0, yet it lists operations')
    judgeInSync(judge, world, view, 'diff --exit-code exited 0')
  }
  judgeMaps(judge, world, view, claims)
}

/**
 * Check 4, after every step. A second row where the other client placed an obstacle
 * that a cached read did not show yet is excused: no client could have known.
 */
function judgeNoDuplicates(judge: Judge, world: World): void {
  const truth = world.truth()
  for (const m of truth) {
    const keys = m.obstacles.map((p) => key(p.x, p.y))
    const dup = keys.filter((k, i) => keys.indexOf(k) !== i && !world.unseenObstacles.has(`${m.name}|${k}`))
    judge.check(dup.length === 0, `duplicate obstacle rows on "${m.name}": ${dup.join(' ')}`)
  }
  const names = truth.flatMap((m) => m.observers.map((o) => o.name))
  judge.check(new Set(names).size === names.length, 'an observer name twice on the server')
}

async function push(judge: Judge, world: World, flags: RunFlags, killAt?: number): Promise<Run> {
  const liveBefore = world.pending.filter((e) => editLive(e, world.truth()))
  const args = pushArgs(flags)
  const run = killAt === undefined ? await world.run('push', args, flags) : await world.killedPush(args, flags, killAt)
  totals.runs++
  totals.requests += run.requests
  totals.gridsyncWrites += Object.values(run.succeeded).reduce((a, b) => a + b, 0)
  if (run.killed) totals.killed++
  const kill = killAt === undefined ? '' : run.killed ? ` (killed at the server's request ${killAt})` : ` (to be killed at the server's request ${killAt}, ended before)`
  world.note(`gridsync ${args.join(' ')}${kill} -> ${run.killed ? 'killed' : `exit ${run.code}`}`)
  if (env.HISTORY_DUMP) await appendFile(env.HISTORY_DUMP, `${world.steps.at(-1)}\n${run.stdout}\n`)
  judge.about(run)
  for (const c of world.hiddenChanges(run.startedAt)) if (c.kind === 'obstacle-added') world.unseenObstacles.add(`${c.map}|${key(c.x, c.y)}`)
  if (!run.killed) judgePush(judge, world, run)
  // Check 5: without --force, the other client's edits survive (a map pruned for having
  // no file aside, and an edit so recent that a cached read may not show it yet).
  if (!flags.force) {
    const unseen = world.hiddenChanges(run.startedAt)
    const seen = liveBefore.filter((x) => !unseen.some((c) => c.at === x.at && c.map === x.map))
    world.followRenames()
    for (const e of seen) {
      const pruned = Boolean(flags.prune) && !world.fileByName(e.map) && !truthOf(run.after, e.map)
      judge.check(editLive(e, run.after) || pruned, `object lost: ${describeEdit(e)}; this push without --force overwrote it without reporting a conflict`, () => {
        const t = truthOf(run.after, e.map)
        return `server now: ${show(t && shapeOfTruth(t))}`
      })
    }
  }
  return run
}

async function diff(judge: Judge, world: World): Promise<Run> {
  const args = ['diff', '--json', '--exit-code']
  const run = await world.run('diff', args)
  totals.runs++
  totals.requests += run.requests
  world.note(`gridsync ${args.join(' ')} -> exit ${run.code}`)
  if (env.HISTORY_DUMP) await appendFile(env.HISTORY_DUMP, `${world.steps.at(-1)}\n${run.stdout}\n`)
  judge.about(run)
  judgeDiff(judge, world, run)
  return run
}

/**
 * Check 6: after a cache expiry and with no edits in between, at most two pushes make
 * the server hold the files. A conflict is first resolved, by --force or by taking the
 * server's map into the file, and then the two pushes start again.
 */
async function converge(judge: Judge, world: World, rebuildKnown: boolean): Promise<void> {
  const r = world.random
  let force = false
  world.note('converge: from here on, no edits but the resolution of conflicts')
  for (let round = 1; round <= 2; round++) {
    const flags: RunFlags = {prune: r.chance(0.5), force, rebuild: rebuildKnown && world.kind.ignoreDeletes && r.chance(0.5)}
    await world.expire()
    world.note('cache expiry (waited)')
    const first = await push(judge, world, flags)
    const inConflict = conflictsOf(first)
    if (inConflict.length > 0) {
      judge.check(round === 1, `conflicts remain after they were resolved: ${inConflict.join(', ')}`)
      for (const name of inConflict) {
        const file = world.fileByName(name)
        const truth = truthOf(world.truth(), name)
        const why = truth ? unwritable(truth, world.observerNamesOutside(file?.file ?? '')) : 'the map is not on the server'
        if (file && truth && !why && r.chance(0.5)) {
          await world.takeServerMap(file, truth)
          world.note(`resolve: the file of "${name}" takes the server's map`)
        } else {
          force = true
          world.note(`resolve: "${name}" by --force${why ? ` (the server's map cannot be a file: ${why})` : ''}`)
        }
      }
      continue
    }
    let last = first
    if (first.code !== 0) {
      await world.expire()
      world.note('cache expiry (waited)')
      last = await push(judge, world, flags)
      judge.check(conflictsOf(last).length === 0, 'a conflict appeared with no edit since the push before')
      // A map rebuilt by that push reads as the old one until the cache has expired once more.
      if (last.code === 8 && rebuilt(last) && world.kind.stale) {
        await world.expire()
        world.note('cache expiry (waited), after a rebuild')
        last = await push(judge, world, {...flags, rebuild: false})
      }
    }
    const refuted = judgeConverged(judge, world, last)
    // In sync: diff says so. Obstacles the server keeps: diff must not call it in sync (check 1).
    const check = await diff(judge, world)
    if (!refuted) judge.check(check.code === 0, `converged (the last push exited ${last.code}), yet diff --exit-code exits ${check.code}`)
    return
  }
}

/** Whether the push rebuilt a map (deleted and created it again). */
function rebuilt(run: Run): boolean {
  try {
    return (JSON.parse(run.stdout) as {maps?: Array<{action: string}>}).maps?.some((m) => m.action === 'rebuild') ?? false
  } catch {
    return false
  }
}

function conflictsOf(run: Run): string[] {
  let doc: unknown
  try {
    doc = JSON.parse(run.stdout)
  } catch {
    return []
  }
  return claimsOf(doc)
    .maps.filter((m) => m.action === 'conflict' || m.verdict === 'conflict')
    .map((m) => m.name)
}

/** Judges the state two pushes reached; says whether obstacles the server would not delete remain. */
function judgeConverged(judge: Judge, world: World, last: Run): boolean {
  judge.about(last)
  const exact = !world.kind.ignoreDeletes || Boolean(last.flags.rebuild)
  const kept = new Map<string, string[]>()
  for (const f of world.files.values()) {
    const t = truthOf(last.after, f.name)
    const state = () => `server: ${show(t && shapeOfTruth(t))}\nfile:   ${show(shapeOfFile(f))}`
    judge.check(Boolean(t), `not converged after two pushes: "${f.name}" is not on the server`, state)
    if (!t) continue
    const ts = shapeOfTruth(t)
    const fs = shapeOfFile(f)
    judge.check(
      ts.size === fs.size && JSON.stringify(ts.observers) === JSON.stringify(fs.observers),
      `not converged after two pushes: the size or observers of "${f.name}" differ from its file`,
      state,
    )
    const missing = fs.obstacles.filter((k) => !ts.obstacles.includes(k))
    judge.check(missing.length === 0, `not converged after two pushes: obstacles of the file missing on "${f.name}": ${missing.join(' ')}`, state)
    const extra = ts.obstacles.filter((k) => !fs.obstacles.includes(k))
    judge.check(
      exact ? extra.length === 0 : true,
      `not converged after two pushes: obstacles not in the file on "${f.name}": ${extra.join(' ')}${world.kind.ignoreDeletes ? ' (with --rebuild)' : ''}`,
      state,
    )
    if (extra.length > 0) kept.set(f.name, extra)
  }
  if (last.flags.prune) {
    const others = last.after.filter((m) => !world.fileByName(m.name)).map((m) => m.name)
    judge.check(others.length === 0, `not converged after two pushes with --prune: maps without a file remain: ${others.join(', ')}`)
  }
  if (kept.size === 0) {
    judge.check(last.code === 0, `converged with nothing refuted, yet the last push exits ${last.code}`)
    return false
  }
  // The server ignores obstacle deletes: the push says so, exit 8, naming every obstacle left.
  judge.check(
    last.code === 8,
    `obstacles the server will not delete remain (${[...kept].map(([m, k]) => `"${m}": ${k.join(' ')}`).join('; ')}), so the push exits 8, not ${last.code}`,
  )
  let doc: unknown
  try {
    doc = JSON.parse(last.stdout)
  } catch {}
  const claims = doc === undefined ? undefined : claimsOf(doc)
  for (const [map, keys] of kept) {
    const named = new Set(claims?.maps.find((m) => m.name === map)?.facts.flatMap((f) => (f.kind === 'obstacle-present' ? [key(f.x, f.y)] : [])) ?? [])
    for (const k of keys) judge.check(named.has(k), `obstacle (${k}) on "${map}" is still on the server, not in the file, and the push does not name it`)
  }
  return true
}

async function history(seed: number): Promise<Judge> {
  const world = await World.start(seed)
  const judge = new Judge(world)
  const rebuildKnown = await pushHasFlag('--rebuild')
  const r = world.random
  try {
    for (let i = r.int(1, 3); i > 0; i--) await world.save(world.newMap())
    world.note(`start: ${[...world.files.values()].map((m) => `${m.file} "${m.name}"`).join(', ')}; an empty server`)
    for (let step = 1; step <= STEPS; step++) {
      totals.steps++
      judge.about(undefined)
      const what = r.weighted({local: 30, foreign: 14, reset: 5, expire: 8, push: 26, diff: 10, killed: 6, converge: STEPS > 20 ? 2 : 0})
      switch (what) {
        case 'local':
          world.note(await world.localEdit())
          break
        case 'foreign':
          world.note(await world.foreignEdit(world.steps.length + 1))
          break
        case 'reset':
          world.reset()
          world.note('server reset: all data and the cache gone')
          break
        case 'expire':
          await world.expire()
          world.note('cache expiry (waited)')
          break
        case 'push':
          await push(judge, world, {prune: r.chance(0.35), force: r.chance(0.15), rebuild: rebuildKnown && r.chance(0.15)})
          break
        case 'diff':
          await diff(judge, world)
          break
        case 'killed':
          await push(judge, world, {prune: r.chance(0.3)}, r.int(1, 12))
          break
        case 'converge':
          await converge(judge, world, rebuildKnown)
          break
      }
      judgeNoDuplicates(judge, world)
      world.dropDeadEdits()
    }
    await converge(judge, world, rebuildKnown)
    judgeNoDuplicates(judge, world)
    return judge
  } finally {
    if (VERBOSE) console.log(`seed ${seed}:\n${world.steps.map((l) => `  ${l}`).join('\n')}`)
    totals.seeds++
    totals.foreignOps += world.foreignOps
    await world.close()
  }
}

describe('history: every claim gridsync makes is true of the server, in random sequences of runs', {concurrency: CONCURRENCY}, () => {
  after(() => {
    console.log(
      `# history: ${totals.seeds} seeds, ${totals.steps} steps, ${totals.runs} gridsync runs (${totals.killed} killed), ` +
        `${totals.gridsyncWrites + totals.foreignOps} server operations (${totals.gridsyncWrites} writes by gridsync, ${totals.foreignOps} requests by the other client; ` +
        `${totals.requests} requests by gridsync in all), ${totals.claims} claims checked, ${totals.failed} failed`,
    )
  })

  for (const seed of SEEDS) {
    it(`seed ${seed}`, async (t) => {
      const judge = await history(seed)
      t.diagnostic(`seed ${seed}: ${judge.claims} claims checked`)
      if (judge.failures.length > 0) throw new AssertionError({message: `${judge.failures.length} checks failed; the first:\n${judge.failures[0]}`})
    })
  }
})
