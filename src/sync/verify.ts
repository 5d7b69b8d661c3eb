import {HttpError} from '../api/errors.js'
import {GridsyncError} from '../exit-codes.js'
import type {RemoteMap} from '../model/types.js'
import {type FollowUp, succeeded, type SyncClient} from './apply.js'
import {clock} from './clock.js'
import {type JournalRecord, type MapStart, recordOfResults} from './journal.js'
import {type Evidence, weigh} from './knowledge.js'
import {diffMaps, differences, objectChanges} from './map-diff.js'
import {conflictText, refutedText} from './plan.js'
import type {MapPlan, Plan} from './plan-types.js'
import type {MapVerification, OpResult, Verification} from './result-types.js'

/**
 * The verdict on every map in scope, from evidence only. A map a push touched is read
 * back once its operations have ended; the others keep what planning learnt of them.
 * "confirmed" is said only of a map whose trusted read (or 404, for a deleted one)
 * shows exactly the file; everything else says what is not known, and until when.
 */

const ADVICE = {
  cached: (until: number) =>
    `The server's answer does not show gridsync's latest writes to this map yet: it may be a cached one (the server may cache reads up to --stale-window). A read after ${clock(until)} settles it: run \`gridsync diff --exit-code\` then.`,
  notApplied:
    'The server acknowledged these deletes but still holds the objects: it does not carry them out (the reference server never deletes an obstacle). `gridsync push --rebuild` deletes the map and creates it again from the file.',
  incomplete: 'Some operations on this map failed or were skipped (see above); the rest were applied.',
  unreadable: 'Reading the map back failed, so whether the server matches the file is not known. Run `gridsync diff --exit-code` to check.',
  conflict: 'Someone else changed this map on the server since gridsync last knew it: take their change into the file, or run `gridsync push --force` to overwrite it.',
  notReadBack: 'Not read back (--no-verify): whether the server matches the file is not known.',
} as const

export interface ReadBackOptions {
  /** Each touched map's starting point, as recorded in the journal. */
  starts: ReadonlyMap<string, MapStart>
  cacheMs: number
  now: () => number
}

/**
 * The read-back of each map a push touches, as work to do once the map's operations
 * have ended (apply() runs them beside the operations on other maps); each verdict goes
 * to `done`.
 */
export function readBacks(plan: Plan, client: Pick<SyncClient, 'getMap'>, opts: ReadBackOptions, done: (v: MapVerification) => void): FollowUp[] {
  const touched = new Set(plan.operations.map((op) => op.map))
  return plan.maps
    .filter((mp) => touched.has(mp.name))
    .map((mp) => ({
      map: mp.name,
      run: async (results) => {
        const start = opts.starts.get(mp.name) ?? {url: mp.url ?? '', before: null}
        done(await verifyMap(mp, results, client, recordOfResults(start, results, 'this run'), opts))
      },
    }))
}

/** The verdicts of a push, by map name. */
export function verification(maps: MapVerification[]): Verification {
  return {maps: [...maps].sort((a, b) => (a.name < b.name ? -1 : 1)), skipped: false}
}

/**
 * The verdict on a map the run does not touch, from what planning learnt of it; none
 * for maps without a file in scope (invalid, only on the server).
 */
export function standingVerdict(mp: MapPlan): MapVerification | undefined {
  const name = mp.name
  const evidence = mp.evidence
  if (mp.action === 'conflict') {
    return {name, verdict: 'conflict', differences: (mp.conflicts ?? []).map((c) => conflictText(c)), advice: ADVICE.conflict, evidence}
  }

  if (mp.action !== 'unchanged' || !mp.local) return undefined
  if (mp.refuted && mp.refuted.length > 0) {
    return {name, verdict: 'not-applied', differences: mp.refuted.map((op) => refutedText(op)), advice: ADVICE.notApplied, evidence}
  }

  if (evidence?.kind === 'writes') {
    return {name, verdict: 'unconfirmed', differences: [], advice: ADVICE.cached(evidence.until!), evidence}
  }

  return {name, verdict: 'confirmed', differences: [], evidence}
}

/** The verdict on a touched map that --no-verify keeps from being read back. */
export function notReadBack(name: string): MapVerification {
  return {name, verdict: 'unconfirmed', differences: [], advice: ADVICE.notReadBack}
}

async function verifyMap(mp: MapPlan, results: readonly OpResult[], client: Pick<SyncClient, 'getMap'>, record: JournalRecord, opts: ReadBackOptions): Promise<MapVerification> {
  const name = mp.name
  const incomplete = results.some((r) => r.outcome === 'failed' || r.outcome === 'skipped' || r.outcome === 'unconfirmed')
  const created = results.findLast((r) => r.op.kind === 'createMap')
  const renamed = results.findLast((r) => r.op.kind === 'updateMap' && r.op.renamedFrom !== undefined)
  // A renamed map's old URL answers 404 once the rename is done: only the URL found for its new name tells.
  const url = renamed && renamed.outcome !== 'failed' && renamed.outcome !== 'skipped' ? renamed.url : (created?.url ?? record.after?.url ?? mp.url)
  const target = mp.action === 'delete' ? undefined : mp.local
  if (!url && renamed && succeeded(renamed.outcome)) {
    const until = opts.now() + opts.cacheMs
    const evidence: Evidence = {kind: 'writes', at: opts.now(), listed: false, until}
    const why = 'renamed: the server names no URL for the renamed map (its old URL answers 404 now), and its listing does not show the new name yet'
    if (incomplete) return {name, verdict: 'incomplete', differences: [why], advice: ADVICE.incomplete, evidence}
    return {name, verdict: 'unconfirmed', differences: [why], advice: ADVICE.cached(until), evidence}
  }

  if (!url) {
    const why =
      created?.outcome === 'unconfirmed'
        ? 'the map may have been created, but the answer was lost and no read shows it yet'
        : created
          ? 'the map was not created'
          : 'the map is not confirmed on the server yet (an earlier create lost its answer)'
    return {name, verdict: 'incomplete', differences: [why], advice: ADVICE.incomplete}
  }

  const at = opts.now()
  let read: RemoteMap | undefined
  try {
    read = await client.getMap(url)
  } catch (error) {
    if (!(error instanceof HttpError) || error.status !== 404) {
      if (!(error instanceof GridsyncError)) throw error
      const verdict = incomplete ? 'incomplete' : 'unconfirmed'
      return {name, verdict, differences: [`it could not be read back: ${error.message}`], advice: incomplete ? ADVICE.incomplete : ADVICE.unreadable}
    }
  }

  const gone: Evidence = {kind: 'gone', at, listed: false}
  if (!target) {
    if (!read) return {name, verdict: 'confirmed', differences: [], evidence: gone}
    // A 200 proves the map exists now, whatever its body.
    const verdict = incomplete ? 'incomplete' : 'not-applied'
    return {name, verdict, differences: ['the map still exists: its URL answers'], advice: incomplete ? ADVICE.incomplete : undefined}
  }

  if (!read || read.name !== name) {
    const verdict = incomplete ? 'incomplete' : 'not-applied'
    return {name, verdict, differences: ['the map is not on the server: its URL answers 404'], advice: incomplete ? ADVICE.incomplete : undefined, evidence: gone}
  }

  const k = weigh(read, record, {at, cacheMs: opts.cacheMs, listed: true})
  const evidence = k.evidence
  if (evidence.kind === 'writes') {
    // Too soon to tell a cached answer from one that lacks the writes: say so, and until when.
    const shown = differences(read, target)
    if (incomplete) return {name, verdict: 'incomplete', differences: shown, advice: ADVICE.incomplete, evidence}
    return {name, verdict: 'unconfirmed', differences: shown, advice: ADVICE.cached(evidence.until!), evidence}
  }

  const diffs = differences(read, target)
  if (diffs.length === 0) return {name, verdict: 'confirmed', differences: [], evidence}
  if (incomplete) return {name, verdict: 'incomplete', differences: diffs, advice: ADVICE.incomplete, evidence}
  // Someone else's change explains a difference only where the read differs from the file.
  const differing = new Set(objectChanges(diffMaps(read, target)).map((c) => c.key))
  const conflicts = k.conflicts.filter((c) => differing.has(c.key))
  if (conflicts.length > 0) return {name, verdict: 'conflict', differences: conflicts.map((c) => conflictText(c)), advice: ADVICE.conflict, evidence}
  return {name, verdict: 'not-applied', differences: diffs, advice: ADVICE.notApplied, evidence}
}
