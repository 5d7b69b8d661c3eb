import {GridsyncError} from '../exit-codes.js'
import type {RemoteMap} from '../model/types.js'
import {type FollowUp, resultsByMap, type SyncClient} from './apply.js'
import type {MapPlan, Plan} from './plan-types.js'
import {refutedText} from './plan.js'
import {runPool} from './pool.js'
import type {ApplyResult, MapVerification, OpResult, Verification} from './result-types.js'
import {differences, fingerprint} from './state-model.js'

const ADVICE = {
  unconfirmed:
    'The server answered exactly as it did before the writes: it caches reads (the reference server does, for 300 s) or it ignored the writes, and the two cannot be told apart. Run `gridsync diff` once the cache has expired.',
  journal:
    "The server's answers are stale: this state is gridsync's record of its own recent writes, not yet confirmed by a read. Run `gridsync diff` once the server's cache has expired (300 s on the reference server).",
  notApplied:
    'The server acknowledged these changes but does not show them. A server that never carries out obstacle deletes (the reference server) can only lose an obstacle when the whole map is deleted and created again.',
  incomplete: 'Some operations on this map failed or were skipped: see above for why; once that is resolved, a later push sends what is still missing.',
  unreadable: 'Reading the map back failed, so whether the server matches the file is not known. Run `gridsync diff` to check.',
} as const

/**
 * Reads back every map the push touched and compares it with its file. Never calls a
 * map confirmed unless a read shows exactly the file's content. A map that cannot be
 * read back (the server gone, a broken answer) is unconfirmed, with the reason: the
 * report of what was applied is never lost to a failed read-back.
 */
export async function verify(
  plan: Plan,
  applied: ApplyResult,
  client: Pick<SyncClient, 'getMap'>,
  opts: {observed: ReadonlyMap<string, string | null>; concurrency: number},
): Promise<Verification> {
  const byMap = resultsByMap(applied)
  const maps: MapVerification[] = []
  await runPool(readBacks(plan, client, opts.observed, (v) => maps.push(v)), opts.concurrency, async (f) => f.run(byMap.get(f.map) ?? []))
  return verification(maps)
}

/**
 * The read-back of each map a push touches, as work to do once the map's operations
 * have ended (apply() runs them beside the operations on other maps); each verdict goes
 * to `done`. Maps without operations are read back too when what the plan took for them
 * came from the journal or holds refuted deletes.
 */
export function readBacks(
  plan: Plan,
  client: Pick<SyncClient, 'getMap'>,
  observed: ReadonlyMap<string, string | null>,
  done: (v: MapVerification) => void,
): FollowUp[] {
  const touched = new Set(plan.operations.map((op) => op.map))
  return plan.maps
    .filter((mp) => touched.has(mp.name) || mp.remoteSource === 'journal' || mp.refuted)
    .map((mp) => ({map: mp.name, run: async (results) => done(await verifyMap(mp, results, client, observed.get(mp.name)))}))
}

/** The verdicts of a push, by map name. */
export function verification(maps: MapVerification[]): Verification {
  return {maps: [...maps].sort((a, b) => (a.name < b.name ? -1 : 1)), skipped: false}
}

async function verifyMap(
  mp: MapPlan,
  results: readonly OpResult[],
  client: Pick<SyncClient, 'getMap'>,
  observed: string | null | undefined,
): Promise<MapVerification> {
  const name = mp.name
  const refuted = (mp.refuted ?? []).map((op) => refutedText(op))
  if (results.length === 0) {
    if (refuted.length > 0) return {name, verdict: 'not-applied', differences: refuted, advice: ADVICE.notApplied}
    return {name, verdict: 'unconfirmed', differences: [], advice: ADVICE.journal}
  }

  const incomplete = results.some((r) => r.outcome === 'failed' || r.outcome === 'skipped' || r.outcome === 'unconfirmed')
  const created = results.find((r) => r.op.kind === 'createMap')
  const url = created?.url ?? mp.url
  if (!url) {
    const why = created?.outcome === 'unconfirmed'
      ? 'the map may have been created, but the answer was lost and no read shows it yet'
      : created
        ? 'the map was not created'
        : 'the map is not confirmed on the server yet (an earlier create lost its answer)'
    return {name, verdict: 'incomplete', differences: [why], advice: ADVICE.incomplete}
  }

  let read: RemoteMap | undefined
  try {
    read = await client.getMap(url)
  } catch (error) {
    if (!(error instanceof GridsyncError)) throw error
    if ((error as {status?: number}).status !== 404) {
      const verdict = incomplete ? 'incomplete' : 'unconfirmed'
      return {name, verdict, differences: [`it could not be read back: ${error.message}`], advice: incomplete ? ADVICE.incomplete : ADVICE.unreadable}
    }
  }

  const target = mp.action === 'delete' ? undefined : mp.local
  if (!target) {
    if (!read) return {name, verdict: 'confirmed', differences: []}
    const verdict = incomplete ? 'incomplete' : 'unconfirmed'
    return {name, verdict, differences: ['the map is still listed'], advice: incomplete ? ADVICE.incomplete : ADVICE.unconfirmed}
  }

  if (!read) {
    return {name, verdict: incomplete ? 'incomplete' : 'not-applied', differences: ['the map is not on the server'], advice: ADVICE.incomplete}
  }

  const diffs = differences(read, target)
  if (diffs.length === 0) return {name, verdict: 'confirmed', differences: []}
  if (incomplete) return {name, verdict: 'incomplete', differences: diffs, advice: ADVICE.incomplete}
  // A read identical to what the plan started from shows none of this run's writes.
  const seen = fingerprint(read)
  if (seen === observed || seen === fingerprint(mp.remote)) return {name, verdict: 'unconfirmed', differences: diffs, advice: ADVICE.unconfirmed}
  return {name, verdict: 'not-applied', differences: diffs, advice: ADVICE.notApplied}
}
