import {randomUUID} from 'node:crypto'
import {createReadStream, fdatasyncSync, writeSync} from 'node:fs'
import {type FileHandle, mkdir, open, rename, stat} from 'node:fs/promises'
import path from 'node:path'

import {ExitCode, GridsyncError} from '../exit-codes.js'
import type {RemoteMap} from '../model/types.js'
import type {JournalEvent} from './journal-schema.js'
import {batched, jsonPieces} from './json-pieces.js'
import type {Operation} from './plan-types.js'
import type {OpOutcome, OpResult, Verdict} from './result-types.js'
import {applyToModel} from './state-model.js'

/**
 * gridsync's journal: an append-only record of every run that writes, kept in
 * `<maps dir>/.gridsync/journal.ndjson`, one JSON event a line. A run notes each map's
 * starting point before touching it and each operation before sending it (flushed to
 * disk first), then its outcome. Replaying the file gives, per server and map, the
 * state gridsync's writes left, even when a run was killed halfway.
 *
 * What the record is used for:
 * - recognising stale answers: a read identical to the one the writes were planned from,
 *   soon after, is a cache; the recorded state stands in for it;
 * - refuted writes: deletes the server acknowledged but a later trusted read still shows;
 * - conflicts: a trusted read that differs from what gridsync left, in ways its own
 *   writes do not explain, means someone else edited the map.
 */

/** A write of the last run on a map, as far as the journal knows. */
export interface JournalWrite {
  op: Operation
  /** acknowledged: applied or reconciled; uncertain: sent, answer lost or never recorded. */
  state: 'acknowledged' | 'uncertain'
}

export interface JournalRecord {
  /** The map's URL on the server. */
  url: string
  /** Fingerprint of the server's answer the writes were planned from; null: the map was absent. */
  before: string | null
  /** The map as gridsync's writes left it; null: deleted. */
  after: RemoteMap | null
  /** When this record was made (ISO 8601). */
  at: string
  /**
   * When gridsync last wrote to the map (ISO 8601): the end of its last write, or when it
   * was sent if its answer never came. A run that writes nothing leaves it as it was.
   * null: gridsync never wrote it (the record is only a state it knew).
   */
  wroteAt: string | null
  /** Deletes the server acknowledged that a trusted read showed were not carried out. */
  refuted: Operation[]
  /** The run that wrote it. */
  run: string
  /** The writes `after` reflects, oldest first, acknowledged or uncertain. */
  writes: JournalWrite[]
  /** The map file gridsync last pushed the map from, relative to the maps directory (see renames.ts). */
  file?: string
}

/** Where a run starts on a map: see JournalWriter.startMap(). */
export interface MapStart {
  url: string
  /** Fingerprint of the server's answer the writes are planned from; null: the map is absent. */
  before: string | null
  /** The state the writes are planned from. */
  base?: RemoteMap
  /** Writes of earlier runs that `base` already reflects. */
  carry?: JournalWrite[]
  /** Deletes acknowledged earlier that a read refuted. */
  refuted?: Operation[]
  /** When gridsync last wrote to the map before this run (from its record), if it has. */
  wroteAt?: string | null
  /** The map file, relative to the maps directory. */
  file?: string
}

/** A run that started and never recorded its end. */
export interface InterruptedRun {
  run: string
  command: string
  at: string
  /** Operations sent whose outcome was never recorded. */
  inFlight: number
}

type Event = JournalEvent

/** The format version each journal line carries as `v` (lines without one are format 1). */
export const JOURNAL_FORMAT = 2

export const STATE_DIR = '.gridsync'
const JOURNAL_FILE = 'journal.ndjson'
/** Past this size the journal is compacted to one record a map when a run opens it. */
const COMPACT_BYTES = 4 * 1024 * 1024
/** Lines are written in buffers of about this size, never made into one string: a line can be megabytes long. */
const WRITE_BYTES = 64 * 1024

/** What one run wrote to one map, while replaying; its starting point is kept apart (see replay()). */
interface MapRun {
  server: string
  url: string
  before: string | null
  at: string
  run: string
  /** Writes of earlier runs that the starting point already reflects (it came from their record): theirs, not someone else's. */
  carry: JournalWrite[]
  /** Deletes an earlier run had acknowledged that a later read refuted: still counted as done, never sent again. */
  refuted: Operation[]
  /** When gridsync last wrote to the map before this run. */
  wroteAt: string | null
  file?: string
  ops: Map<number, {op: Operation; at?: string}>
  outcomes: Map<number, {outcome: OpOutcome; url?: string; at: string}>
}

/** The latest of a map while replaying: a run's writes from their starting point, or a compacted record. */
type Latest = {server: string; map: string} & ({mapRun: MapRun; base: RemoteMap | null} | {record: JournalRecord})

export class Journal {
  private readonly records = new Map<string, Map<string, JournalRecord>>()
  private readonly interrupted: InterruptedRun[] = []

  private constructor(
    readonly file: string,
    readonly warnings: string[],
  ) {}

  static pathFor(mapsDir: string): string {
    return path.join(mapsDir, STATE_DIR, JOURNAL_FILE)
  }

  /**
   * Reads and replays the journal. A missing file is empty. A last line cut off mid-write
   * (a run killed, power lost) is skipped with a warning; any other line that is not a
   * journal event, or one written by a newer gridsync, stops the run (JournalError): the
   * record of what was sent cannot be trusted in part.
   */
  static async load(mapsDir: string): Promise<{journal: Journal; warning?: string}> {
    const file = Journal.pathFor(mapsDir)
    const journal = new Journal(file, [])
    const {checkEvent} = await import('./journal-schema.js')
    const torn = await journal.replay(linesOf(file), checkEvent)
    const warning = torn ? `${file}: its last line was cut off mid-write (a run killed or the power lost) and is skipped` : undefined
    if (warning) journal.warnings.push(warning)
    return {journal, warning}
  }

  /** The last recorded writes per map name on a server. */
  recordsFor(server: string): ReadonlyMap<string, JournalRecord> {
    return this.records.get(server) ?? new Map()
  }

  /** Runs that never recorded their end, since the last run that did. */
  interruptedRuns(): readonly InterruptedRun[] {
    return this.interrupted
  }

  /**
   * Starts appending a run's events; compacts the file first when it has grown large.
   * The records are dropped then (the state of a large map is tens of MB): a run reads
   * what it needs of them before it begins.
   */
  async begin(server: string, command: string): Promise<JournalWriter> {
    await mkdir(path.dirname(this.file), {recursive: true})
    await this.compactIfLarge()
    this.records.clear()
    const handle = await open(this.file, 'a')
    const writer = new JournalWriter(handle, randomUUID())
    writer.append({t: 'run', run: writer.run, server, command, at: new Date().toISOString(), pid: process.pid})
    return writer
  }

  private async replay(lines: AsyncIterable<Line>, check: (value: unknown) => {event: Event} | {problem: string}): Promise<boolean> {
    const runs = new Map<string, {server: string; command: string; at: string; ended: boolean}>()
    const mapRuns = new Map<string, MapRun>()
    const opMap = new Map<string, MapRun>()
    // The latest writes per server and map, computed into records once, at the end. Only
    // the latest starting point of each map is kept: that of a large map is tens of MB.
    const latest = new Map<string, Latest>()
    const note = (entry: Latest): void => {
      const key = `${entry.server}\n${entry.map}`
      latest.delete(key)
      latest.set(key, entry)
    }

    let torn = false
    for await (const line of lines) {
      if (line.text.trim() === '') continue
      let parsed: unknown
      let problem: string | undefined
      try {
        parsed = JSON.parse(line.text)
      } catch {
        problem = 'not JSON'
      }

      const checked = problem === undefined ? check(parsed) : {problem}
      if ('problem' in checked) {
        // Only a last line without its newline can be one a killed run was writing.
        if (!line.complete && checked.problem === 'not JSON') {
          torn = true
          continue
        }

        throw new JournalError(`${this.file}:${line.number}: ${checked.problem}. ${JOURNAL_REMEDY}`)
      }

      const e = checked.event
      switch (e.t) {
        case 'run': {
          runs.set(e.run, {server: e.server, command: e.command, at: e.at, ended: false})
          break
        }

        case 'map': {
          const server = runs.get(e.run)?.server
          if (server === undefined) break
          const mr: MapRun = {
            server,
            url: e.url,
            before: e.before,
            carry: e.carry ?? [],
            refuted: e.refuted ?? [],
            at: e.at,
            run: e.run,
            wroteAt: e.wroteAt ?? null,
            file: e.file,
            ops: new Map(),
            outcomes: new Map(),
          }
          mapRuns.set(`${e.run}\n${e.map}`, mr)
          note({server, map: e.map, mapRun: mr, base: e.base})
          break
        }

        case 'send': {
          const mr = mapRuns.get(`${e.run}\n${e.op.map}`)
          if (!mr) break
          mr.ops.set(e.op.id, {op: e.op, at: e.at})
          opMap.set(`${e.run}\n${e.op.id}`, mr)
          break
        }

        case 'ack': {
          const mr = opMap.get(`${e.run}\n${e.id}`)
          if (!mr) break
          mr.outcomes.set(e.id, {outcome: e.outcome, url: e.url, at: e.at})
          mr.at = e.at
          break
        }

        case 'end': {
          const run = runs.get(e.run)
          if (run) run.ended = true
          break
        }

        case 'record': {
          const r = e.record
          // Format 1 knew no write time: the end of the writes (`at`) stands in, when there were any.
          const record = {...r, wroteAt: r.wroteAt === undefined ? (r.writes.length > 0 ? r.at : null) : r.wroteAt, refuted: r.refuted ?? []}
          note({server: e.server, map: e.map, record})
          break
        }

        case 'verify': {
          break
        }
      }
    }

    for (const entry of latest.values()) {
      let maps = this.records.get(entry.server)
      if (!maps) this.records.set(entry.server, (maps = new Map<string, JournalRecord>()))
      maps.set(entry.map, 'record' in entry ? entry.record : recordOf(entry.mapRun, entry.base))
    }

    // Runs cut off since the last one that finished (older ones were reported then).
    const order = [...runs.keys()]
    const lastEnded = order.findLastIndex((run) => runs.get(run)!.ended)
    for (const run of order.slice(lastEnded + 1)) {
      const r = runs.get(run)!
      let inFlight = 0
      for (const mr of mapRuns.values()) if (mr.run === run) for (const id of mr.ops.keys()) if (!mr.outcomes.has(id)) inFlight++
      this.interrupted.push({run, command: r.command, at: r.at, inFlight})
    }

    return torn
  }

  /** The compacted journal, one record a map, in pieces. */
  private *recordLines(): Generator<string> {
    for (const [server, maps] of this.records) for (const [map, record] of maps) yield* lineOf({t: 'record', server, map, record})
  }

  /** Rewrites a large journal as one record a map, atomically (the caller holds the lock). */
  private async compactIfLarge(): Promise<void> {
    const size = await stat(this.file).then(
      (s) => s.size,
      () => 0,
    )
    if (size < COMPACT_BYTES) return
    const tmp = `${this.file}.${process.pid}.tmp`
    const handle = await open(tmp, 'w')
    try {
      for (const text of batched(this.recordLines(), WRITE_BYTES)) await handle.write(text)
    } finally {
      await handle.close()
    }

    await rename(tmp, this.file)
  }
}

/** A line of the journal file: its text, its number from 1, and whether its newline was written. */
interface Line {
  text: string
  number: number
  complete: boolean
}

/**
 * The lines of a file, none when it does not exist. Read a piece at a time, never whole:
 * a line can be megabytes long, and a journal holds several such.
 */
async function* linesOf(file: string): AsyncGenerator<Line> {
  let pieces: string[] = []
  let number = 0
  try {
    for await (const chunk of createReadStream(file, {encoding: 'utf8'}) as AsyncIterable<string>) {
      let start = 0
      for (let end = chunk.indexOf('\n'); end >= 0; end = chunk.indexOf('\n', start)) {
        pieces.push(chunk.slice(start, end))
        yield {text: pieces.join(''), number: ++number, complete: true}
        pieces = []
        start = end + 1
      }

      pieces.push(chunk.slice(start))
    }
  } catch (error) {
    // The file system's own error: the caller names the path and the reason (exit 11).
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }

  yield {text: pieces.join(''), number: number + 1, complete: false}
}

/** What to do about a journal that cannot be used. */
const JOURNAL_REMEDY =
  'Move the file aside to go on: gridsync then starts a new journal and forgets its record of recent writes (maps written in the last minutes may be reported unconfirmed or as conflicts once; nothing is sent twice that a read shows done)'

/** The journal cannot be read or written: the run stops before (or as soon as) it would act on it. */
export class JournalError extends GridsyncError {
  constructor(message: string) {
    super(message, ExitCode.FILE_ACCESS, 'JOURNAL')
    this.name = 'JournalError'
  }
}

/** One event as a line of JSON, in pieces: the state of a large map is megabytes of text. */
function* lineOf(event: Event): Generator<string> {
  const versioned = {v: JOURNAL_FORMAT, ...event}
  // Only a map's state can make a line long; the other events are small and frequent.
  if (event.t === 'map' || event.t === 'record') {
    yield* jsonPieces(versioned)
    yield '\n'
  } else {
    yield `${JSON.stringify(versioned)}\n`
  }
}

/**
 * The state a run's writes to a map left: its starting point with the acknowledged
 * operations applied, and the uncertain ones too (sent, but the answer was lost or the
 * run was killed first): counting those as done can only delay a write until a trusted
 * read shows it missing, while counting them as not done could duplicate it.
 */
function recordOf(mr: MapRun, base: RemoteMap | null): JournalRecord {
  const done: JournalWrite[] = []
  const urls = new Map<number, string>()
  let wroteAt = mr.wroteAt
  const later = (t: string | undefined): void => {
    if (t !== undefined && (wroteAt === null || t > wroteAt)) wroteAt = t
  }

  let rebuilt = false
  for (const [id, {op, at}] of mr.ops) {
    const o = mr.outcomes.get(id)
    if (o?.url) urls.set(id, o.url)
    if (!o || o.outcome === 'unconfirmed') {
      done.push({op, state: 'uncertain'})
      // Sent, its answer never came: it may have landed as late as the last thing the run recorded.
      later(o?.at ?? at ?? mr.at)
    } else if (o.outcome === 'applied' || o.outcome === 'reconciled') {
      done.push({op, state: 'acknowledged'})
      later(o.at)
      if (op.kind === 'deleteMap') rebuilt = true
    }
  }

  const refuted = mr.refuted.map((op): JournalWrite => ({op, state: 'acknowledged'}))
  const after = applyToModel(base ?? undefined, [...mr.refuted, ...done.map((w) => w.op)], urls)
  return {
    url: after?.url ?? mr.url,
    before: mr.before,
    after: after ?? null,
    at: mr.at,
    wroteAt,
    // A map deleted and made again has none of the old one's refuted deletes.
    refuted: rebuilt ? [] : mr.refuted,
    run: mr.run,
    writes: [...mr.carry, ...refuted, ...done],
    ...(mr.file === undefined ? {} : {file: mr.file}),
  }
}

/**
 * The record a run's results on one map leave, before they are written: what the map's
 * read-back is weighed against.
 */
export function recordOfResults(start: MapStart, results: readonly OpResult[], run: string): JournalRecord {
  const at = new Date().toISOString()
  const mr: MapRun = {
    server: '',
    url: start.url,
    before: start.before,
    carry: start.carry ?? [],
    refuted: start.refuted ?? [],
    at,
    run,
    wroteAt: start.wroteAt ?? null,
    file: start.file,
    ops: new Map(),
    outcomes: new Map(),
  }
  for (const r of results) {
    if (r.outcome === 'skipped' || (r.outcome === 'failed' && !r.sent)) continue
    mr.ops.set(r.op.id, {op: r.op, at: r.at})
    mr.outcomes.set(r.op.id, {outcome: r.outcome, url: r.url, at: r.at ?? at})
  }

  return recordOf(mr, start.base ?? null)
}

/**
 * Appends one run's events. Events that must be on disk before gridsync acts on them
 * (a map's starting point, an operation about to be sent) are flushed with a shared
 * fsync: the operations that become ready in the same turn of the event loop wait for
 * one write and one sync together. The write and the sync are made in this thread:
 * handing them to the thread pool costs more than they take on a local disk.
 */
export class JournalWriter {
  private pending: Buffer[] = []
  private scheduled: Promise<void> | undefined
  private failed: Error | undefined

  constructor(
    private readonly handle: FileHandle,
    readonly run: string,
  ) {}

  append(event: Event): void {
    for (const text of batched(lineOf(event), WRITE_BYTES)) this.pending.push(Buffer.from(text))
  }

  /** Records a map's starting point for this run, before any operation on it. */
  startMap(map: string, start: MapStart): void {
    const {url, before, base, carry, refuted, wroteAt, file} = start
    this.append({t: 'map', run: this.run, map, url, before, base: base ?? null, carry, refuted, wroteAt: wroteAt ?? null, file, at: new Date().toISOString()})
  }

  /**
   * Records that a map is no longer on the server under `map`: a rename the server
   * acknowledged took it to another name (whose own record holds it from then on).
   */
  renamedAway(map: string, url: string, at: string): void {
    this.append({t: 'map', run: this.run, map, url, before: null, base: null, wroteAt: at, at: new Date().toISOString()})
  }

  /** Records operations and waits until the records are on disk: call it before sending them. */
  async intend(ops: readonly Operation[]): Promise<void> {
    const at = new Date().toISOString()
    for (const op of ops) this.append({t: 'send', run: this.run, op, at})
    this.scheduled ??= new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        this.scheduled = undefined
        try {
          this.flushNow()
          resolve()
        } catch (error) {
          reject(error)
        }
      })
    })
    await this.scheduled
  }

  outcome(result: OpResult): void {
    this.append({t: 'ack', run: this.run, id: result.op.id, outcome: result.outcome, url: result.url, at: new Date().toISOString()})
  }

  verified(map: string, verdict: Verdict, differences: string[]): void {
    this.append({t: 'verify', run: this.run, map, verdict, differences, at: new Date().toISOString()})
  }

  /** Records the end of the run and closes the file. */
  async end(exitCode: number): Promise<void> {
    this.append({t: 'end', run: this.run, exitCode, at: new Date().toISOString()})
    try {
      this.flushNow()
    } finally {
      await this.handle.close()
    }
  }

  /** Writes what is pending and syncs it to disk. */
  async flush(): Promise<void> {
    this.flushNow()
  }

  private flushNow(): void {
    if (this.failed) throw this.failed
    if (this.pending.length === 0) return
    const pieces = this.pending
    this.pending = []
    try {
      for (const piece of pieces) {
        for (let written = 0; written < piece.length;) written += writeSync(this.handle.fd, piece, written)
      }

      fdatasyncSync(this.handle.fd)
    } catch (error) {
      this.failed = new JournalError(`cannot write the journal: ${(error as Error).message}; nothing more is sent`)
      throw this.failed
    }
  }
}
