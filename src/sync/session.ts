import {ExitCode} from '../exit-codes.js'
import {formatDiagnostic} from '../format/diagnostics.js'
import type {LoadResult} from '../format/directory.js'
import {apply, resultsByMap, succeeded, type SyncClient} from './apply.js'
import {Journal} from './journal.js'
import {plan} from './plan.js'
import type {Plan} from './plan-types.js'
import {readRemote, type RemoteState} from './remote-state.js'
import type {ApplyResult, OpResult, Verification} from './result-types.js'
import {applyToModel} from './state-model.js'
import {verify} from './verify.js'

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
  concurrency: number
  now?: () => number
}

export interface Planned {
  plan: Plan
  remote: RemoteState
  journal: Journal
}

/** Reads the server (and gridsync's journal of recent writes) and computes the plan. */
export async function makePlan(client: SyncClient, opts: SyncOptions): Promise<Planned> {
  const now = (opts.now ?? Date.now)()
  const {journal, warning} = await Journal.load(opts.mapsDir)
  const only = opts.only && opts.only.length > 0 ? new Set(opts.only) : undefined
  const details = new Set(opts.loaded.maps.map((m) => m.name).filter((n) => !only || only.has(n)))
  const remote = await readRemote(client, {details, records: journal.recent(opts.server, now, STALE_WINDOW_MS), concurrency: opts.concurrency})
  const p = plan({
    server: opts.server,
    local: opts.loaded.maps,
    invalid: opts.loaded.invalid.map((f) => ({file: f.file, name: f.name, problems: f.diagnostics.map((d) => formatDiagnostic(d))})),
    remote: remote.entries,
    prune: opts.prune,
    only: opts.only && opts.only.length > 0 ? opts.only : undefined,
  })
  if (warning) p.warnings.push(warning)
  for (const name of remote.unreachable) {
    p.warnings.push(`The server lists a map "${name}" whose slug is empty: the API can neither read, change nor delete it, so it is left alone.`)
  }
  return {plan: p, remote, journal}
}

export interface PushOutcome {
  apply: ApplyResult
  verification: Verification
}

/**
 * Applies a plan, records what the server acknowledged in the journal, then (unless
 * told not to) reads back what was touched.
 */
export async function push(
  client: SyncClient,
  planned: Planned,
  opts: Pick<SyncOptions, 'concurrency' | 'now' | 'server'> & {verify: boolean; onResult?: (r: OpResult) => void; signal?: AbortSignal},
): Promise<PushOutcome> {
  const applied = await apply(planned.plan, client, {concurrency: opts.concurrency, onResult: opts.onResult, signal: opts.signal})
  record(planned, applied, opts.server, (opts.now ?? Date.now)())
  await planned.journal.save()
  const verification = opts.verify
    ? await verify(planned.plan, applied, client, {observed: planned.remote.observed, concurrency: opts.concurrency})
    : {maps: [], skipped: true}
  return {apply: applied, verification}
}

/**
 * Notes, per map written to, the server's answer the writes were planned from and the
 * state they left. Creates whose answers were lost count as done here: the record only
 * stands in for answers identical to that earlier one, and then re-sending could duplicate.
 */
function record(planned: Planned, applied: ApplyResult, server: string, now: number): void {
  const maps = new Map(planned.plan.maps.map((m) => [m.name, m]))
  for (const [name, results] of resultsByMap(applied)) {
    const done = results.filter((r) => succeeded(r.outcome) || r.outcome === 'unconfirmed')
    if (done.length === 0) continue
    const mp = maps.get(name)!
    const urls = new Map(done.flatMap((r) => (r.url ? [[r.op.id, r.url] as const] : [])))
    const after = applyToModel(mp.remote, done.map((r) => r.op), urls)
    const url = after?.url ?? mp.url
    if (!url) continue
    planned.journal.set(server, name, {url, before: planned.remote.observed.get(name) ?? null, after: after ?? null, at: new Date(now).toISOString()})
  }

  planned.journal.prune(now, STALE_WINDOW_MS)
}

/** True when the plan changes anything on the server. */
export function hasWork(p: Plan): boolean {
  return p.operations.length > 0
}

/**
 * One exit code for a push, most pressing first: failed operations (4), invalid files
 * (5), then anything not confirmed by reading back (8).
 */
export function pushExitCode(p: Plan, outcome: PushOutcome): ExitCode {
  const c = outcome.apply.counts
  if (c.failed > 0 || c.skipped > 0) return ExitCode.OPERATIONS_FAILED
  if (p.maps.some((m) => m.action === 'invalid')) return ExitCode.INVALID_MAPS
  if (c.unconfirmed > 0) return ExitCode.NOT_VERIFIED
  if (outcome.verification.maps.some((m) => m.verdict !== 'confirmed')) return ExitCode.NOT_VERIFIED
  return ExitCode.OK
}

/** Exit code of a diff: invalid files (5), else pending changes (3) when asked, else 0. */
export function diffExitCode(p: Plan, exitCodeFlag: boolean): ExitCode {
  if (p.maps.some((m) => m.action === 'invalid')) return ExitCode.INVALID_MAPS
  if (exitCodeFlag && hasWork(p)) return ExitCode.CHANGES_PENDING
  return ExitCode.OK
}
