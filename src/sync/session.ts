import {ExitCode, GridsyncError} from '../exit-codes.js'
import {formatDiagnostic} from '../format/diagnostics.js'
import type {LoadResult} from '../format/directory.js'
import {apply, type SyncClient} from './apply.js'
import type {Halt} from './halt.js'
import {Journal, type JournalRecord, type MapStart} from './journal.js'
import {plan} from './plan.js'
import type {Plan} from './plan-types.js'
import {readRemote, type RemoteState} from './remote-state.js'
import type {ApplyResult, MapVerification, OpResult, Verification} from './result-types.js'
import {fingerprint} from './state-model.js'
import {unfinishedRunWarnings} from './unfinished.js'
import {readBacks, verification as verificationOf} from './verify.js'

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
  /** See STALE_WINDOW_MS. */
  staleWindowMs?: number
  concurrency: number
  now?: () => number
  /** The journal, already loaded by the caller, who has reported its unfinished runs (see unfinishedRunWarnings). */
  journal?: {journal: Journal; warning?: string}
}

export interface Planned {
  plan: Plan
  remote: RemoteState
  journal: Journal
}

/** Reads the server (and gridsync's journal of its writes) and computes the plan. */
export async function makePlan(client: SyncClient, opts: SyncOptions): Promise<Planned> {
  const now = (opts.now ?? Date.now)()
  const {journal, warning} = opts.journal ?? (await Journal.load(opts.mapsDir))
  const only = opts.only && opts.only.length > 0 ? opts.only : undefined
  const details = new Set(opts.loaded.maps.map((m) => m.name).filter((n) => !only || only.includes(n)))
  const remote = await readRemote(client, {
    details,
    records: journal.recordsFor(opts.server),
    staleWindowMs: opts.staleWindowMs ?? STALE_WINDOW_MS,
    now,
    concurrency: opts.concurrency,
  })
  const p = plan({
    server: opts.server,
    local: opts.loaded.maps,
    invalid: opts.loaded.invalid.map((f) => ({file: f.file, name: f.name, problems: f.diagnostics.map((d) => formatDiagnostic(d))})),
    remote: remote.entries,
    prune: opts.prune,
    only,
    force: opts.force,
  })
  if (warning) p.warnings.push(warning)
  if (!opts.journal) p.warnings.push(...unfinishedRunWarnings(journal))

  for (const name of remote.unreachable) {
    p.warnings.push(`The server lists a map "${name}" whose slug is empty: the API can neither read, change nor delete it, so it is left alone.`)
  }

  return {plan: p, remote, journal}
}

export interface PushOutcome {
  apply: ApplyResult
  verification: Verification
  exitCode: ExitCode
}

/**
 * Applies a plan, recording every map's starting point and every operation in the
 * journal before it is sent and its outcome after, then (unless told not to) reads
 * back what was touched. A run killed at any point leaves a journal the next run can
 * continue from without sending anything twice.
 */
export async function push(
  client: SyncClient,
  planned: Planned,
  opts: Pick<SyncOptions, 'concurrency' | 'server'> & {verify: boolean; onResult?: (r: OpResult) => void; halt?: () => Halt | undefined},
): Promise<PushOutcome> {
  const {plan: p, remote} = planned
  // Read from the journal's records before the run begins: beginning drops them.
  const starts = startingPoints(p, remote, planned.journal.recordsFor(opts.server))
  const writer = await planned.journal.begin(opts.server, 'push')
  try {
    for (const [name, start] of starts) writer.startMap(name, start)
    await writer.flush()
    const read: MapVerification[] = []
    const followUps = opts.verify
      ? readBacks(p, client, remote.observed, (v) => {
          read.push(v)
          writer.verified(v.name, v.verdict, v.differences)
        })
      : []
    const applied = await apply(p, client, {
      concurrency: opts.concurrency,
      record: async (ops) => writer.intend(ops),
      onResult(r) {
        writer.outcome(r)
        opts.onResult?.(r)
      },
      followUps,
      halt: opts.halt,
    })
    const verification: Verification = opts.verify ? verificationOf(read) : {maps: [], skipped: true}
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
 * Where the push starts on each map it touches, and on each map whose file now agrees
 * with a server state gridsync did not leave (someone else's edit, taken over in the
 * file): that state is the new baseline for conflicts, refuted deletes still counted as
 * done so that they stay refuted.
 */
function startingPoints(p: Plan, remote: RemoteState, records: ReadonlyMap<string, JournalRecord>): Array<[string, MapStart]> {
  const touched = new Set(p.operations.map((op) => op.map))
  const starts: Array<[string, MapStart]> = []
  for (const mp of p.maps) {
    const record = records.get(mp.name)
    const before = remote.observed.get(mp.name) ?? null
    if (touched.has(mp.name)) {
      // A base taken from the journal already holds those earlier writes: they stay gridsync's.
      const carry = mp.remoteSource === 'journal' ? record?.writes : undefined
      starts.push([mp.name, {url: mp.url ?? '', before, base: mp.remote, carry, refuted: mp.refuted}])
    } else if (mp.action === 'unchanged' && mp.remoteSource === 'server' && record && fingerprint(mp.remote) !== fingerprint(record.after ?? undefined)) {
      starts.push([mp.name, {url: mp.url ?? record.url, before, base: mp.remote, refuted: mp.refuted}])
    }
  }

  return starts
}

/**
 * One exit code for a push, most pressing first: a halt (the server stopped answering,
 * an interruption), then failed operations or conflicts (4),
 * invalid files (5), then anything not confirmed by reading back (8).
 */
export function pushExitCode(p: Plan, outcome: Pick<PushOutcome, 'apply' | 'verification'>): ExitCode {
  // A run that stopped sending ends with the reason it stopped (6, 11, 130, 143).
  if (outcome.apply.halted) return outcome.apply.halted.exitCode
  const c = outcome.apply.counts
  if (c.failed > 0 || c.skipped > 0 || p.maps.some((m) => m.action === 'conflict')) return ExitCode.OPERATIONS_FAILED
  if (p.maps.some((m) => m.action === 'invalid')) return ExitCode.INVALID_MAPS
  if (c.unconfirmed > 0) return ExitCode.NOT_VERIFIED
  if (outcome.verification.maps.some((m) => m.verdict !== 'confirmed')) return ExitCode.NOT_VERIFIED
  return ExitCode.OK
}

/** Exit code of a diff: invalid files (5), else pending changes or conflicts (3) when asked, else 0. */
export function diffExitCode(p: Plan, exitCodeFlag: boolean): ExitCode {
  if (p.maps.some((m) => m.action === 'invalid')) return ExitCode.INVALID_MAPS
  if (exitCodeFlag && (p.operations.length > 0 || p.maps.some((m) => m.action === 'conflict'))) return ExitCode.CHANGES_PENDING
  return ExitCode.OK
}
