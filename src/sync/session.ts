import {ExitCode, GridsyncError} from '../exit-codes.js'
import {formatDiagnostic} from '../format/diagnostics.js'
import type {LoadResult} from '../format/directory.js'
import {apply, succeeded, type SyncClient} from './apply.js'
import type {Halt} from './halt.js'
import {Journal, type JournalRecord, type MapStart} from './journal.js'
import {type Knowledge, learn} from './knowledge.js'
import {sameContent} from './map-diff.js'
import {plan} from './plan.js'
import {findRenames, recordedFile} from './renames.js'
import type {Plan} from './plan-types.js'
import type {ApplyResult, MapVerification, OpResult, Verification} from './result-types.js'
import {unfinishedRunWarnings} from './unfinished.js'
import {notReadBack, readBacks, standingVerdict, verification as verificationOf} from './verify.js'

/**
 * How long gridsync's record of its own writes is used to recognise stale answers.
 * The reference server caches reads for 300 s; a margin covers clock and request time.
 */
export const STALE_WINDOW_MS = 360_000

export interface SyncOptions {
  server: string
  mapsDir: string
  /** The local maps, already loaded and checked. */
  loaded: LoadResult
  only?: readonly string[]
  prune: boolean
  /** Overwrite maps someone else changed on the server since gridsync last wrote them. */
  force?: boolean
  /** Delete and recreate maps whose deletes the server refuses. */
  rebuild?: boolean
  /** See STALE_WINDOW_MS. */
  staleWindowMs?: number
  concurrency: number
  now?: () => number
  /** The journal, already loaded by the caller, who has reported its unfinished runs (see unfinishedRunWarnings). */
  journal?: {journal: Journal; warning?: string}
}

export interface Planned {
  plan: Plan
  knowledge: Knowledge
  journal: Journal
  /** The server's cache time gridsync assumes (`--stale-window`), in ms. */
  cacheMs: number
  mapsDir: string
}

/** Reads the server (and gridsync's journal of its writes) and computes the plan. */
export async function makePlan(client: SyncClient, opts: SyncOptions): Promise<Planned> {
  const now = opts.now ?? Date.now
  const cacheMs = opts.staleWindowMs ?? STALE_WINDOW_MS
  const {journal, warning} = opts.journal ?? (await Journal.load(opts.mapsDir))
  const only = opts.only && opts.only.length > 0 ? opts.only : undefined
  const inScope = (name: string): boolean => !only || only.includes(name)
  const files = new Set(opts.loaded.maps.map((m) => m.name))
  const records = journal.recordsFor(opts.server)
  const invalidNames = opts.loaded.invalid.flatMap((f) => f.name ?? [])
  const renames = findRenames(opts.mapsDir, opts.loaded.maps, invalidNames, records)
  // A renamed map is read under its old name too: the rename is planned from that map.
  const oldNames = new Set([...renames].filter(([name]) => inScope(name)).map(([, old]) => old))
  const knowledge = await learn(client, {
    wanted: (name) => (files.has(name) && inScope(name)) || oldNames.has(name),
    allRecorded: opts.prune,
    records,
    cacheMs,
    now,
    concurrency: opts.concurrency,
  })
  for (const k of knowledge.maps.values()) if (k.error && inScope(k.name)) throw k.error
  const p = plan({
    server: opts.server,
    local: opts.loaded.maps,
    invalid: opts.loaded.invalid.map((f) => ({file: f.file, name: f.name, problems: f.diagnostics.map((d) => formatDiagnostic(d))})),
    knowledge,
    prune: opts.prune,
    only,
    force: opts.force,
    rebuild: opts.rebuild,
    renames,
  })
  const unknownFiles = unrecordedCreates(p, records)
  const untracked = p.maps.filter((mp) => mp.action === 'untracked').map((mp) => `"${mp.name}"`)
  if (unknownFiles.length > 0 && untracked.length > 0) {
    p.warnings.push(
      `gridsync has no record of which file each map on this server was pushed from (a fresh checkout, or a journal from before files were recorded), so it cannot tell whether ${unknownFiles.join(', ')} ${unknownFiles.length === 1 ? 'holds a renamed map or a new one' : 'hold renamed maps or new ones'}: ` +
        `${untracked.join(', ')} ${untracked.length === 1 ? 'stays' : 'stay'} on the server unless \`--prune\` deletes ${untracked.length === 1 ? 'it' : 'them'}. ` +
        "If one of them is a renamed map's old name, its observers keep their names taken there, and creating them on the new map fails (409) until it is deleted.",
    )
  }

  if (warning) p.warnings.push(warning)
  if (!opts.journal) p.warnings.push(...unfinishedRunWarnings(journal))
  for (const name of knowledge.unreachable) {
    p.warnings.push(`The server lists a map "${name}" whose slug is empty: the API can neither read, change nor delete it, so it is left alone.`)
  }

  return {plan: p, knowledge, journal, cacheMs, mapsDir: opts.mapsDir}
}

export interface PushOutcome {
  apply: ApplyResult
  verification: Verification
  exitCode: ExitCode
}

/**
 * Applies a plan, recording every map's starting point and every operation in the
 * journal before it is sent and its outcome after, then reads back what was touched
 * (unless told not to). Every map in scope gets a verdict: those touched from their
 * read-back, the others from what planning learnt. A run killed at any point leaves a
 * journal the next run can continue from without sending anything twice.
 */
export async function push(
  client: SyncClient,
  planned: Planned,
  opts: Pick<SyncOptions, 'concurrency' | 'server'> & {
    verify: boolean
    onResult?: (r: OpResult) => void
    halt?: () => Halt | undefined
    now?: () => number
    /** The command the journal records the run as (sync's server half is a push of its own). */
    command?: 'push' | 'sync'
  },
): Promise<PushOutcome> {
  const {plan: p, knowledge} = planned
  const now = opts.now ?? Date.now
  // Read from the journal's records before the run begins: beginning drops them.
  const records = planned.journal.recordsFor(opts.server)
  const starts = startingPoints(p, knowledge, records, planned.mapsDir)
  const writer = await planned.journal.begin(opts.server, opts.command ?? 'push')
  try {
    for (const [name, start] of starts) writer.startMap(name, start)
    await writer.flush()
    const read: MapVerification[] = []
    const touched = new Set(p.operations.map((op) => op.map))
    const followUps = opts.verify
      ? readBacks(p, client, {starts: new Map(starts), cacheMs: planned.cacheMs, now}, (v) => {
          read.push(v)
          writer.verified(v.name, v.verdict, v.differences)
        })
      : []
    const applied = await apply(p, client, {
      concurrency: opts.concurrency,
      record: async (ops) => writer.intend(ops),
      onResult(r) {
        writer.outcome(r)
        // Renamed: the old name holds nothing from now on (an unanswered rename leaves its record: it may not have happened).
        if (r.op.kind === 'updateMap' && r.op.renamedFrom !== undefined && succeeded(r.outcome)) {
          writer.renamedAway(r.op.renamedFrom, p.maps.find((mp) => mp.name === r.op.map)?.url ?? '', r.at ?? new Date().toISOString())
        }
        opts.onResult?.(r)
      },
      followUps,
      halt: opts.halt,
    })
    const standing = p.maps.filter((mp) => !touched.has(mp.name)).flatMap((mp) => standingVerdict(mp) ?? [])
    const unread = opts.verify ? [] : p.maps.filter((mp) => touched.has(mp.name)).map((mp) => notReadBack(mp.name))
    const verification: Verification = {...verificationOf([...read, ...standing, ...unread]), skipped: !opts.verify}
    const outcome = {apply: applied, verification}
    const exitCode = pushExitCode(p, outcome)
    await writer.end(exitCode)
    return {...outcome, exitCode}
  } catch (error) {
    await writer.end(error instanceof GridsyncError ? error.exitCode : ExitCode.UNEXPECTED).catch(() => {})
    throw error
  }
}

/**
 * The files of maps the plan creates, where gridsync has recorded no file it pushed to
 * this server (a fresh checkout, or a journal from before files were recorded): only
 * then can a renamed map not be told from a new one.
 */
function unrecordedCreates(p: Plan, records: ReadonlyMap<string, JournalRecord>): string[] {
  if ([...records.values()].some((r) => r.file !== undefined)) return []
  return p.maps.filter((mp) => mp.action === 'create' && mp.file !== undefined).map((mp) => mp.file!)
}

/**
 * Where the push starts on each map it touches, and on each map whose trusted read
 * shows a state gridsync did not leave that the file now agrees with (someone else's
 * edit taken over in the file, a lost write found): that state is the new baseline,
 * refuted deletes still counted as done so that they stay refuted. A starting point
 * carries the time of gridsync's last write over: a run that writes nothing to a map
 * starts no new wait for the server's cache.
 */
function startingPoints(p: Plan, knowledge: Knowledge, records: ReadonlyMap<string, JournalRecord>, mapsDir: string): Array<[string, MapStart]> {
  const touched = new Set(p.operations.map((op) => op.map))
  const starts: Array<[string, MapStart]> = []
  for (const mp of p.maps) {
    const record = records.get(mp.name)
    const k = knowledge.maps.get(mp.name)
    const before = k?.observed ?? null
    const wroteAt = record?.wroteAt ?? null
    const assumed = mp.evidence?.kind === 'writes'
    const file = mp.file === undefined ? undefined : recordedFile(mapsDir, mp.file)
    if (touched.has(mp.name)) {
      // A base taken from the journal already holds those earlier writes: they stay gridsync's.
      const carry = assumed ? record?.writes : undefined
      const refuted = assumed ? record?.refuted : mp.refuted
      // A renamed map starts from the record of its old name.
      const renamed = mp.renamedFrom === undefined ? undefined : records.get(mp.renamedFrom)
      const from = renamed ? {wroteAt: renamed.wroteAt} : {}
      starts.push([mp.name, {url: mp.url ?? '', before, base: mp.remote, carry, refuted, wroteAt, file, ...from}])
    } else if (mp.action === 'unchanged' && mp.evidence?.kind === 'read' && mp.remote && (!record?.after || !sameContent(mp.remote, record.after))) {
      starts.push([mp.name, {url: mp.url ?? record?.url ?? '', before, base: mp.remote, refuted: mp.refuted, wroteAt, file}])
    } else if (mp.action === 'unchanged' && record?.after && file !== undefined && record.file !== file) {
      // The same state, recorded with the file it is in now (renames are told by it).
      starts.push([mp.name, {url: record.url, before: record.before, base: record.after, carry: record.writes, refuted: record.refuted, wroteAt, file}])
    }
  }

  return starts
}

/**
 * One exit code for a push, most pressing first: a halt (the server stopped answering,
 * an interruption), then failed operations or conflicts (4), invalid files (5), then any
 * map in scope not known to match its file (8).
 */
export function pushExitCode(p: Plan, outcome: Pick<PushOutcome, 'apply' | 'verification'>): ExitCode {
  // A run that stopped sending ends with the reason it stopped (6, 11, 130, 143).
  if (outcome.apply.halted) return outcome.apply.halted.exitCode
  const c = outcome.apply.counts
  const conflict = p.maps.some((m) => m.action === 'conflict') || outcome.verification.maps.some((m) => m.verdict === 'conflict')
  if (c.failed > 0 || c.skipped > 0 || conflict) return ExitCode.OPERATIONS_FAILED
  if (p.maps.some((m) => m.action === 'invalid')) return ExitCode.INVALID_MAPS
  if (c.unconfirmed > 0) return ExitCode.NOT_VERIFIED
  if (outcome.verification.maps.some((m) => m.verdict !== 'confirmed')) return ExitCode.NOT_VERIFIED
  return ExitCode.OK
}
