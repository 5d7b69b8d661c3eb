import {ExitCode} from '../exit-codes.js'
import {PositionSet} from '../model/positions.js'
import {type Observer, type Position, type RemoteMap, type RemoteMapSummary} from '../model/types.js'
import {clock} from './clock.js'
import type {Halt} from './halt.js'
import {knownSlug, slugKey} from '../format/slug-key.js'
import {locateMap} from './locate.js'
import {mapClashDetail} from './name-clash.js'
import {type GraphTask, runGraph} from './pool.js'
import type {MapBody, Operation, Plan} from './plan-types.js'
import type {ApplyResult, OpOutcome, OpResult} from './result-types.js'

/** What apply() needs of the API client (APIDataSource provides it). */
export interface SyncClient {
  listMaps(): Promise<RemoteMapSummary[]>
  getMap(url: string): Promise<RemoteMap>
  createMap(body: MapBody): Promise<{url: string}>
  updateMap(url: string, body: MapBody): Promise<void>
  deleteMap(url: string): Promise<void>
  createObserver(mapUrl: string, observer: Observer): Promise<{url: string}>
  updateObserver(url: string, observer: Observer): Promise<void>
  deleteObserver(url: string): Promise<void>
  createObstacle(mapUrl: string, position: Position): Promise<unknown>
  deleteObstacle(mapUrl: string, position: Position): Promise<void>
  /** The URL of a map by the slug the server gives it (tried where no URL is known: sync/locate.ts). */
  mapUrl?(slug: string): string
  /** The URL of an observer by its slug (its map segment is not checked by the server). */
  observerUrl?(mapUrl: string, slug: string): string
  getObserver?(url: string): Promise<{name: string; mapName: string}>
}

export interface ApplyOptions {
  /** Requests in flight at once. */
  concurrency: number
  /**
   * Awaited before operations are sent: the journal records them first. It gets the
   * operation about to be sent and, to share one disk write, up to `lookahead - 1` of
   * those ready to follow it (never one that is to be skipped).
   */
  record?: (ops: readonly Operation[]) => Promise<void>
  /** Most operations given to one record() call. Default: LOOKAHEAD, or twice the concurrency if more. */
  lookahead?: number
  /** Called as each operation ends (progress, logs). */
  onResult?: (result: OpResult) => void
  /** Stops starting new operations; those not started are reported as skipped. */
  signal?: AbortSignal
  /**
   * Asked before each operation and read-back starts: a reason to send nothing more (the
   * server stopped answering, the run was interrupted). What is not sent then is skipped,
   * and the result says the run was halted.
   */
  halt?: () => Halt | undefined
  /**
   * Work to do on a map once all its operations have ended (its read-back), within the
   * same concurrency bound: it starts when no operation is ready to take its place.
   */
  followUps?: readonly FollowUp[]
}

/**
 * Operations recorded by one record() call, at most, by default: one disk sync for many
 * sends, and at most this many recorded but not sent when a run is killed (they count as
 * in flight, like the ones sent whose answer never came).
 */
export const LOOKAHEAD = 32

/** See ApplyOptions.followUps. */
export interface FollowUp {
  map: string
  run: (results: readonly OpResult[]) => Promise<void>
}

/** An error as apply() sees it: the HTTP status, a write whose answer was lost, or one the server called done in a broken answer. */
interface ClientFailure {
  status?: number
  ambiguous?: boolean
  written?: boolean
  /** The client sent nothing: it had stopped sending (see ApplyOptions.halt). */
  notSent?: boolean
  message: string
}

/** A create whose effect is settled by reading: what the read must show. */
type Settled = {outcome: OpOutcome; detail: string; url?: string; status?: number}

/**
 * Carries out a plan at most `concurrency` requests at a time: first the deletes of
 * phase 1 (observer names must be free everywhere before any is created), then maps and
 * their contents as one stream, each operation as soon as what it depends on has ended.
 * A failed operation skips only what depends on it. Answers that contradict a stale
 * read (409 on a create, 404 on a delete) are settled by reading, not reported as
 * failures; a create whose answer was lost is never sent again blindly, since that
 * could duplicate.
 */
export async function apply(plan: Plan, client: SyncClient, options: ApplyOptions): Promise<ApplyResult> {
  const run = new Execution(plan, client, options)
  await run.stream(
    plan.operations.filter((op) => op.phase === 1),
    [],
  )
  await run.stream(
    plan.operations.filter((op) => op.phase !== 1),
    options.followUps ?? [],
  )
  return run.result()
}

class Execution {
  private readonly results = new Map<number, OpResult>()
  /** Map name -> URL on the server: from the plan, then from creates. */
  private readonly mapUrls = new Map<string, string>()
  /** Fresh reads made while settling, per map name: later creates on that map check them. */
  private readonly settledReads = new Map<string, {map: RemoteMap; obstacles: PositionSet}>()
  /** Operation id -> its record() call, once it has been handed to one. */
  private readonly recording = new Map<number, Promise<void>>()
  private readonly lookahead: number
  /** The plan's operations per map name, in plan order. */
  private readonly opsOfMap: ReadonlyMap<string, Operation[]>
  /** A halt of this run's own making: the journal cannot be written. */
  private ownHalt: Halt | undefined
  /** The halt that kept something from being sent, if one did. */
  private haltSeen: Halt | undefined

  constructor(
    private readonly plan: Plan,
    private readonly client: SyncClient,
    private readonly options: ApplyOptions,
  ) {
    for (const mp of plan.maps) if (mp.url) this.mapUrls.set(mp.name, mp.url)
    this.opsOfMap = groupBy(plan.operations, (op) => op.map)
    this.lookahead = Math.max(1, options.lookahead ?? Math.max(LOOKAHEAD, 2 * options.concurrency))
  }

  /** Runs operations (and the follow-ups of their maps) in dependency order. */
  async stream(ops: readonly Operation[], followUps: readonly FollowUp[]): Promise<void> {
    const index = new Map(ops.map((op, i) => [op.id, i]))
    const tasks: GraphTask[] = ops.map((op) => {
      // Dependencies outside this stream have ended already.
      const after = op.dependsOn.flatMap((id) => index.get(id) ?? [])
      return {after, run: async (view) => this.execute(op, () => view.upcoming(this.lookahead).flatMap((j) => ops[j] ?? []))}
    })
    const onMap = groupBy(ops, (op) => op.map)
    for (const f of followUps) {
      const mine = (onMap.get(f.map) ?? []).map((op) => index.get(op.id)!)
      tasks.push({
        after: mine,
        run: async () => {
          // After a halt no map is read back: the server is gone, or the run is to end.
          if (this.halted()) return
          await f.run((this.opsOfMap.get(f.map) ?? []).map((op) => this.results.get(op.id)!))
        },
      })
    }

    await runGraph(tasks, this.options.concurrency)
  }

  result(): ApplyResult {
    const results = this.plan.operations.map((op) => this.results.get(op.id)!)
    const counts: Record<OpOutcome, number> = {applied: 0, reconciled: 0, unconfirmed: 0, failed: 0, skipped: 0}
    for (const r of results) counts[r.outcome]++
    return this.haltSeen ? {results, counts, halted: this.haltSeen} : {results, counts}
  }

  /** Why nothing more is to be sent, if so; noted as soon as it keeps something from being sent. */
  private halted(): Halt | undefined {
    const halt = this.ownHalt ?? this.options.halt?.()
    this.haltSeen ??= halt
    return halt
  }

  /** Carries out one operation; `next` gives the operations ready to follow it. */
  async execute(op: Operation, next: () => Operation[]): Promise<void> {
    const started = performance.now()
    let sent = false
    const finish = (r: Omit<OpResult, 'op' | 'durationMs'>): void => {
      const result: OpResult = {op, ...r, durationMs: Math.round(performance.now() - started), at: new Date().toISOString(), sent}
      this.results.set(op.id, result)
      this.options.onResult?.(result)
    }

    const skip = this.whySkipped(op)
    if (skip) {
      finish({outcome: 'skipped', detail: skip})
      return
    }

    try {
      await this.recorded(op, next)
    } catch (error) {
      // Nothing is sent that the journal does not hold: the run stops sending.
      this.ownHalt ??= {reason: `cannot write the journal: ${(error as Error).message}`, exitCode: ExitCode.FILE_ACCESS}
      finish({outcome: 'skipped', detail: `not sent: ${this.ownHalt.reason}`})
      return
    }

    const halt = this.halted()
    if (halt) {
      finish({outcome: 'skipped', detail: `not sent: ${halt.reason}`})
      return
    }

    try {
      sent = true
      const settled = await this.send(op)
      finish(settled)
    } catch (error) {
      const failure = error as ClientFailure
      if (failure.notSent) {
        finish({outcome: 'skipped', detail: `not sent: ${this.halted()?.reason ?? failure.message}`})
        return
      }

      try {
        finish({status: failure.status, ...(await this.settle(op, failure))})
      } catch (settleError) {
        // A write that may have been carried out stays in doubt when the check fails too: never call it failed.
        const outcome = failure.ambiguous ? 'unconfirmed' : 'failed'
        finish({outcome, status: failure.status, detail: `${failure.message}; then, reading to check: ${(settleError as Error).message}`})
      }
    }
  }

  /** Why the operation is not to be sent, if it is not. */
  private whySkipped(op: Operation): string | undefined {
    const halt = this.halted()
    if (halt) return `not sent: ${halt.reason}`
    const blocker = op.dependsOn.map((id) => this.results.get(id)).find((r) => !r || !succeeded(r.outcome))
    if (blocker) return `depends on: ${blocker.op.reason} (${blocker.outcome})`
    if (this.options.signal?.aborted) return 'the run was interrupted before this operation started'
    return this.unknownTarget(op)
  }

  /** Waits until the operation is recorded, recording it with the ones ready to follow if nothing has yet. */
  private async recorded(op: Operation, next: () => Operation[]): Promise<void> {
    const {record} = this.options
    if (!record) return
    let pending = this.recording.get(op.id)
    if (!pending) {
      const batch = [op]
      for (const o of next()) {
        if (batch.length >= this.lookahead) break
        if (!this.recording.has(o.id) && !this.whySkipped(o)) batch.push(o)
      }

      pending = record(batch)
      for (const o of batch) this.recording.set(o.id, pending)
    }

    await pending
  }

  /**
   * Why the URL this operation needs is not known, if it is not: a create of an earlier
   * run whose answer was lost, which the server's (stale) answers do not show yet. The
   * operation waits for a run that sees it; a URL is never made up from a name.
   */
  private unknownTarget(op: Operation): string | undefined {
    const pending = 'is not confirmed on the server yet (an earlier create lost its answer and no read shows it since), so this waits for a later run'
    if (op.kind === 'updateObserver' && !op.from.url) return `observer "${op.from.name}" ${pending}`
    if (op.kind === 'deleteObserver' && !op.observer.url) return `observer "${op.observer.name}" ${pending}`
    if (op.kind === 'createMap' || op.kind === 'updateObserver' || op.kind === 'deleteObserver') return undefined
    return this.mapUrls.get(op.map) ? undefined : `map "${op.map}" ${pending}`
  }

  private mapUrl(op: Operation): string {
    const url = this.mapUrls.get(op.map)
    if (!url) throw new Error(`internal: no URL for map "${op.map}"`)
    return url
  }

  /** Sends the operation's request; resolves with its outcome when the server acknowledges it. */
  private async send(op: Operation): Promise<Settled> {
    switch (op.kind) {
      case 'createMap': {
        const {url} = await this.client.createMap(op.body)
        this.mapUrls.set(op.map, url)
        return {outcome: 'applied', detail: 'created', url, status: 201}
      }

      case 'updateMap': {
        await this.client.updateMap(this.mapUrl(op), op.body)
        if (op.renamedFrom === undefined) return {outcome: 'applied', detail: 'resized', status: 204}
        // The API names no URL for the renamed map; its old one answers 404 from now on.
        const url = await locateMap(this.client, op.body.name).catch(() => undefined)
        if (url) this.mapUrls.set(op.map, url)
        else this.mapUrls.delete(op.map)
        return {outcome: 'applied', detail: url ? 'renamed' : 'renamed; the server names no URL for it and its listing does not show it yet', url, status: 204}
      }

      case 'deleteMap': {
        await this.client.deleteMap(this.mapUrl(op))
        return {outcome: 'applied', detail: 'deleted', status: 204}
      }

      case 'createObserver': {
        const already = this.settledReads.get(op.map)?.map.observers.find((o) => o.name === op.observer.name)
        if (already) return this.settleObserver(op.observer, already.url, already)
        const {url} = await this.client.createObserver(this.mapUrl(op), op.observer)
        return {outcome: 'applied', detail: 'created', url, status: 201}
      }

      case 'updateObserver': {
        await this.client.updateObserver(op.from.url, op.observer)
        return {outcome: 'applied', detail: 'updated', status: 204}
      }

      case 'deleteObserver': {
        await this.client.deleteObserver(op.observer.url)
        return {outcome: 'applied', detail: 'deleted', status: 204}
      }

      case 'createObstacle': {
        if (this.settledReads.get(op.map)?.obstacles.has(op.position)) return {outcome: 'reconciled', detail: 'already on the server'}
        await this.client.createObstacle(this.mapUrl(op), op.position)
        return {outcome: 'applied', detail: 'created', status: 201}
      }

      case 'deleteObstacle': {
        await this.client.deleteObstacle(this.mapUrl(op), op.position)
        return {outcome: 'applied', detail: 'deleted', status: 204}
      }
    }
  }

  /**
   * Decides what a failed request means. A 404 on a delete: already gone. A 409 on a
   * create, or a create whose answer was lost: read, and let the read decide. Any other
   * write that may have been carried out (its answer lost after the retries) is
   * unconfirmed: the next run's read settles it.
   */
  private async settle(op: Operation, failure: ClientFailure): Promise<Settled> {
    // The server says it was done but its answer breaks the contract: not trusted, not sent again either.
    if (failure.written) return {outcome: 'unconfirmed', detail: `${failure.message}; the server answered as if it was done, so it is not sent again`}
    const isDelete = op.kind === 'deleteMap' || op.kind === 'deleteObserver' || op.kind === 'deleteObstacle'
    if (isDelete && failure.status === 404) return {outcome: 'reconciled', detail: 'already gone from the server (404)'}

    const isCreate = op.kind === 'createMap' || op.kind === 'createObserver' || op.kind === 'createObstacle'
    const conflict = failure.status === 409
    if (!isCreate && failure.ambiguous) return {outcome: 'unconfirmed', detail: `${failure.message}; whether it was carried out is settled by the next run's read`}
    if (!isCreate || !(conflict || failure.ambiguous)) return {outcome: 'failed', detail: failure.message}

    const why = conflict ? 'the server answered 409 (it exists)' : 'the answer was lost after the request was sent'
    switch (op.kind) {
      case 'createMap': {
        return this.settleMap(op, why, conflict ? failure.message : undefined)
      }

      case 'createObserver': {
        const read = await this.readMap(op)
        const found = read.observers.find((o) => o.name === op.observer.name)
        if (found) return this.settleObserver(op.observer, found.url, found)
        if (conflict) {
          const holder = await this.observerHolder(op)
          const who = holder
            ? `observer "${holder.observer}" on map "${holder.map}" has this name${holder.observer === op.observer.name ? '' : ' or one that gives the same address'}`
            : 'another observer, on any map, has this name or one that gives the same address'
          // "No file here" only where this plan knows the map as one without a file (only on the server, or pruned).
          const held = holder && this.plan.maps.find((mp) => mp.name === holder.map)
          const advice =
            held && !held.local ? `; map "${holder.map}" has no file here: if this map is it renamed, \`--prune\` deletes it (and its observers) first` : '; rename one of them'
          return {
            outcome: 'failed',
            detail: `the server refused the name: ${failure.message}; observer "${op.observer.name}" is not on this map, so ${who} (observer names are unique across all maps)${advice}`,
          }
        }

        return notSentAgain(why)
      }

      case 'createObstacle': {
        const read = await this.readMap(op)
        if (read.obstacles.some((p) => p.x === op.position.x && p.y === op.position.y)) return {outcome: 'reconciled', detail: `${why}; a read shows it on the server`}
        return notSentAgain(why)
      }

      default: {
        return {outcome: 'failed', detail: failure.message}
      }
    }
  }

  /** `refusal`: the server's 409, when it answered so. */
  private async settleMap(op: Extract<Operation, {kind: 'createMap'}>, why: string, refusal: string | undefined): Promise<Settled> {
    const listing = await this.client.listMaps()
    const found = listing.find((m) => m.name === op.body.name)
    if (found) {
      this.mapUrls.set(op.map, found.url)
      // Its contents are unknown: read them so the placements that follow add only what is missing.
      const map = await this.client.getMap(found.url)
      this.settledReads.set(op.map, {map, obstacles: PositionSet.of(map.obstacles)})
      return {outcome: 'reconciled', detail: `${why}; the server lists it`, url: found.url}
    }

    // gridsync's own earlier create, its answer lost, may have made the map the listing cannot show yet.
    const evidence = this.plan.maps.find((mp) => mp.name === op.map)?.evidence
    const until = evidence?.kind === 'unlisted' ? evidence.until : undefined
    if (refusal !== undefined && until !== undefined) {
      return {
        outcome: 'unconfirmed',
        detail: `${why}: most likely the map an earlier create made, whose answer was lost; the listing does not show it, but may be a cached answer until ${clock(until)}`,
      }
    }

    if (refusal !== undefined) return {outcome: 'failed', detail: mapClashDetail(op.body.name, refusal, listing)}

    return notSentAgain(why)
  }

  /**
   * The observer, on another map, whose name the server refused a create for: from the
   * maps this run read, else from the observer URL its slug would give (counted only when
   * the server answers there with the very name: sync/locate.ts).
   */
  private async observerHolder(op: Extract<Operation, {kind: 'createObserver'}>): Promise<{map: string; observer: string} | undefined> {
    const key = slugKey(op.observer.name)
    for (const mp of this.plan.maps) {
      const found = mp.remote?.observers.find((o) => o.name === op.observer.name) ?? mp.remote?.observers.find((o) => slugKey(o.name) === key)
      if (found && mp.name !== op.map) return {map: mp.remote!.name, observer: found.name}
    }

    const slug = knownSlug(op.observer.name)
    if (slug === undefined || slug === '' || !this.client.getObserver || !this.client.observerUrl) return undefined
    try {
      const o = await this.client.getObserver(this.client.observerUrl(this.mapUrl(op), slug))
      return o.name === op.observer.name ? {map: o.mapName, observer: o.name} : undefined
    } catch {
      return undefined
    }
  }

  /** Brings an observer found on the server to the wanted position and vision. */
  private async settleObserver(wanted: Observer, url: string, found: Observer): Promise<Settled> {
    if (found.x === wanted.x && found.y === wanted.y && found.vision === wanted.vision) {
      return {outcome: 'reconciled', detail: 'already on the server', url}
    }

    await this.client.updateObserver(url, wanted)
    return {outcome: 'reconciled', detail: 'already on the server; updated to match the file', url}
  }

  private async readMap(op: Operation): Promise<RemoteMap> {
    return this.client.getMap(this.mapUrl(op))
  }
}

/**
 * A create whose answer was lost, and which a read does not show. The read may be a
 * cached one from before the write, so sending again could duplicate: it is left
 * unconfirmed, and the next run settles it with a read it can trust.
 */
function notSentAgain(why: string): Settled {
  return {outcome: 'unconfirmed', detail: `${why}, and a read does not show it (the read may be stale); not sent again, to avoid a duplicate`}
}

/** The results of an apply, grouped by map name, in plan order. */
export function resultsByMap(applied: ApplyResult): Map<string, OpResult[]> {
  return groupBy(applied.results, (r) => r.op.map)
}

/** Items grouped by a key, each group in the items' order. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>()
  for (const item of items) {
    const group = groups.get(key(item))
    if (group) group.push(item)
    else groups.set(key(item), [item])
  }

  return groups
}

export function succeeded(outcome: OpOutcome): boolean {
  return outcome === 'applied' || outcome === 'reconciled'
}
