/**
 * `gridsync sync`: both ways, per object. For each map the file, the server (what the
 * truth model knows of it: sync/knowledge.ts) and the base (sync-base.ts) are merged
 * object by object (sync/merge.ts); maps that exist on one side only are created on the
 * other, or, where the base shows the other side deleted them and this side did not
 * change them since, deleted here too (a file is moved to the backup folder, never
 * removed). What goes to the server is planned and applied by the push machinery (the
 * journal, the retries, the read-back); what goes into files is written atomically,
 * changing only what changed (format/edit.ts), the previous file kept in
 * `.gridsync/backup/<time>/`. The base moves on for a map once every write to it was
 * acknowledged and its file written (see serverProven).
 *
 * The order makes a killed run harmless: the server's writes first, then the files,
 * then the base. Killed before the files, the next run finds the server already holding
 * the file's changes (nothing to send) and still sees the server's changes (written into
 * the file then); killed before the base, it finds both sides equal.
 */
import {readdir, readFile, rename} from 'node:fs/promises'
import path from 'node:path'

import {HttpError} from '../api/errors.js'
import {ExitCode} from '../exit-codes.js'
import {editMap} from '../format/edit.js'
import {formatDiagnostic} from '../format/diagnostics.js'
import type {LoadResult} from '../format/directory.js'
import {parseMap} from '../format/parse.js'
import {mapProblems, writeMap} from '../format/write.js'
import type {GridMap, LocalMap, RemoteMap} from '../model/types.js'
import {createFileAtomic, FileNamer, fileStem, pathInside, replaceFileAtomic} from '../pull/index.js'
import {BACKUP_DIR} from '../pull/pull.js'
import {succeeded, type SyncClient} from './apply.js'
import {type Halt} from './halt.js'
import {Journal, type JournalRecord, STATE_DIR} from './journal.js'
import {type Knowledge, learn, type MapKnowledge, objectKey, weigh} from './knowledge.js'
import {diffMaps, objectChanges, observerKey, sameContent} from './map-diff.js'
import {mergeMap, type ObjectState, type Prefer} from './merge.js'
import {plan, refutedText} from './plan.js'
import type {Plan} from './plan-types.js'
import {recordedFile} from './renames.js'
import type {OpResult} from './result-types.js'
import {type PushOutcome, push, type Planned, STALE_WINDOW_MS} from './session.js'
import {type BaseEntry, basesOf, loadBases, readBaseFile, saveBases, type StoredBase} from './sync-base.js'
import {clock} from './clock.js'
import {unfinishedRunWarnings} from './unfinished.js'

/**
 * in-sync: both sides hold the same. merge: objects go one way or both. create-on-server,
 * create-file: the map exists on one side only (and not in the base): copied. delete-on-server,
 * delete-file: the other side deleted it since the base and this side did not change it.
 * conflict: objects (or the map itself) changed on both sides; the rest still syncs.
 * invalid: the file does not parse; the map is left alone on both sides. unknown: what the
 * server holds cannot be told yet (until the time the notes give); left alone.
 */
export type SyncAction = 'in-sync' | 'merge' | 'create-on-server' | 'create-file' | 'delete-on-server' | 'delete-file' | 'conflict' | 'invalid' | 'unknown'

export interface SyncMapPlan {
  name: string
  action: SyncAction
  /** The map's file, when it has one (or will have). */
  file?: string
  toServer: ObjectState[]
  toFile: ObjectState[]
  conflicts: ObjectState[]
  /** Objects whose server value cannot be told yet (a possibly cached answer): left as they are on both sides, the base too. */
  held?: ObjectState[]
  notes: string[]
  /** What the server is to hold; undefined: the server is not written (or the map deleted there: `deleteOnServer`). */
  serverTarget?: GridMap
  deleteOnServer?: boolean
  /** What the file is to say; undefined: the file is not written. */
  fileTarget?: GridMap
  /** The file is moved to the backup folder. */
  deleteFile?: boolean
  /** The state both sides hold once this map is carried out: the new base (undefined: the old one stays). */
  base?: GridMap
  /** The map is gone from both sides once carried out: its base is dropped. */
  dropBase?: boolean
  /** Deletes the server acknowledged and did not carry out (it still holds the objects): not in sync, whatever else. */
  notApplied?: boolean
  /** The map's URL on the server, when known. */
  url?: string
  /** The file's content as planned from, to check it is unchanged before it is replaced. */
  local?: LocalMap
  /** The map's name in the base before its file (`renamedOn` file) or the server renamed it: renamed on the other side too. */
  renamedFrom?: string
  renamedOn?: 'file' | 'server'
}

export interface SyncPlan {
  server: string
  maps: SyncMapPlan[]
  /** The server's half, as push plans it: only the maps with something to send. */
  serverPlan: Plan
  warnings: string[]
  knowledge: Knowledge
}

export interface SyncInput {
  server: string
  mapsDir: string
  loaded: LoadResult
  prefer?: Prefer
  staleWindowMs?: number
  concurrency: number
  now?: () => number
}

/** Reads the server, the journal and the base, and merges map by map. Writes nothing. */
export async function planSync(client: SyncClient, input: SyncInput): Promise<{plan: SyncPlan; journal: Journal; cacheMs: number}> {
  const now = input.now ?? Date.now
  const cacheMs = input.staleWindowMs ?? STALE_WINDOW_MS
  const {journal} = await Journal.load(input.mapsDir)
  const bases = await loadBases(input.mapsDir, input.server)
  const records = journal.recordsFor(input.server)
  const knowledge = await learn(client, {wanted: () => true, allRecorded: true, records, cacheMs, now, concurrency: input.concurrency})
  // A map in the base that the listing does not show: its URL tells whether it is gone (a 404 is never stale).
  for (const [name, b] of bases) {
    if (knowledge.maps.has(name) || !b.url) continue
    knowledge.maps.set(name, await lookUp(client, name, b.url, now, cacheMs))
  }

  for (const k of knowledge.maps.values()) if (k.error) throw k.error
  const merged = mergeAll(input, knowledge, bases, records)
  // What the journal says of earlier runs that ended without finishing comes first: the rest is to be read in its light.
  merged.warnings.unshift(...unfinishedRunWarnings(journal))
  return {plan: merged, journal, cacheMs}
}

async function lookUp(client: SyncClient, name: string, url: string, now: () => number, cacheMs: number): Promise<MapKnowledge> {
  const at = now()
  try {
    const body = await client.getMap(url)
    if (body.name === name) return weigh(body, undefined, {at, cacheMs, listed: false})
  } catch (error) {
    if (!(error instanceof HttpError) || error.status !== 404) throw error
  }

  return {name, evidence: {kind: 'gone', at, listed: false}, refuted: [], conflicts: [], lost: 0, observed: null}
}

/** The merge of every map: pure, given what was read. */
export function mergeAll(
  input: Pick<SyncInput, 'server' | 'mapsDir' | 'loaded' | 'prefer'>,
  knowledge: Knowledge,
  bases: ReadonlyMap<string, StoredBase>,
  records: ReadonlyMap<string, JournalRecord> = new Map(),
): SyncPlan {
  const maps: SyncMapPlan[] = []
  const warnings: string[] = []
  const files = new Map(input.loaded.maps.map((m) => [m.name, m]))
  const invalid = new Map(input.loaded.invalid.flatMap((f) => (f.name === undefined ? [] : [[f.name, f] as const])))
  const unnamed = input.loaded.invalid.filter((f) => f.name === undefined)
  for (const f of unnamed) {
    maps.push({
      name: f.file,
      action: 'invalid',
      file: f.file,
      toServer: [],
      toFile: [],
      conflicts: [],
      notes: [`${f.file} is invalid: ${f.diagnostics.map(formatDiagnostic).join('; ')}`],
    })
  }

  if (unnamed.length > 0) warnings.push('A map file could not be read far enough to know its map name: no map is deleted or created from the server until it is fixed.')
  const names = new Set([...files.keys(), ...invalid.keys(), ...knowledge.maps.keys(), ...bases.keys()])
  const observersInFiles = new Map(input.loaded.maps.flatMap((m) => m.observers.map((o) => [o.name, m.name] as const)))
  const again = new Map<string, (blocked?: ReadonlyMap<string, string>, inFiles?: ReadonlyMap<string, string>) => SyncMapPlan | undefined>()
  const renamed = unnamed.length > 0 ? new Map<string, string>() : syncRenames(input.mapsDir, input.loaded, bases, knowledge)
  const renamedThere = unnamed.length > 0 ? new Map<string, string>() : serverRenames(files, invalid, bases, knowledge, new Set(renamed.values()))
  const renamedAway = new Set([...renamed.values(), ...renamedThere.values()])
  for (const name of names) {
    if (renamedAway.has(name)) continue
    const f = invalid.get(name)
    if (f) {
      const notes = [`${f.file} is invalid, so this map is left alone on the server and in the file`, ...f.diagnostics.map(formatDiagnostic)]
      maps.push({name, action: 'invalid', file: f.file, toServer: [], toFile: [], conflicts: [], notes})
      continue
    }

    // A file renamed its map: merged against the old name's base and server map, and renamed there.
    // The server renamed it: merged against the old name's base and file, and renamed in the file.
    const fromFile = renamed.get(name)
    const fromServer = renamedThere.get(name)
    const rename = fromFile !== undefined ? {from: fromFile, on: 'file' as const} : fromServer !== undefined ? {from: fromServer, on: 'server' as const} : undefined
    const was = fromFile ?? name
    const local = files.get(fromServer ?? name)
    const base = baseOf(bases.get(rename?.from ?? name), records.get(was), local)
    const merge = (blocked?: ReadonlyMap<string, string>, inFiles: ReadonlyMap<string, string> = observersInFiles) =>
      mergeOne(name, local, knowledge.maps.get(was), base, input, unnamed.length > 0, inFiles, records.get(was), blocked, rename)
    const mp = merge()
    if (mp) {
      maps.push(mp)
      again.set(name, merge)
    }
  }

  // An observer that moved to another map on the server is written into that map's file only where this
  // run takes it out of the file that has it: a name in two files makes both invalid.
  const released = new Set(maps.flatMap((mp) => (mp.local && (mp.fileTarget || mp.deleteFile) ? namesLeaving(mp.local, mp.deleteFile ? undefined : mp.fileTarget) : [])))
  // A file that cannot be read may hold any name: while there is one, no observer goes into a file.
  const unreadable = input.loaded.invalid[0]?.file
  for (const [i, mp] of maps.entries()) {
    if (!mp.local || !mp.fileTarget) continue
    const blocked = new Map<string, string>(
      namesLeaving(mp.fileTarget, mp.local).flatMap((o): Array<[string, string]> => {
        if (unreadable !== undefined) return [[observerKey(o), `${unreadable}, which cannot be read,`]]
        const holder = observersInFiles.get(o)
        return holder === undefined || holder === mp.name || released.has(o) ? [] : [[observerKey(o), `the file of map "${holder}"`]]
      }),
    )
    if (blocked.size > 0) maps[i] = again.get(mp.name)!(blocked) ?? mp
  }

  for (const [i, mp] of maps.entries()) {
    if (mp.action !== 'create-file' || unreadable === undefined || (mp.fileTarget?.observers.length ?? 0) === 0) continue
    const note = `only on the server; not written into a file while ${unreadable} cannot be read (it may hold one of the map's observers)`
    maps[i] = {name: mp.name, action: 'unknown', url: mp.url, ...empty, notes: [note]}
  }

  // A map only on the server may take a name its old file gives up in this run.
  const stillInFiles = new Map([...observersInFiles].filter(([o]) => !released.has(o)))
  for (const [i, mp] of maps.entries()) {
    if (!mp.local && mp.action === 'conflict' && released.size > 0 && unreadable === undefined) maps[i] = again.get(mp.name)!(undefined, stillInFiles) ?? mp
  }

  maps.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const serverPlan = planServerHalf(input.server, maps, knowledge)
  return {server: input.server, maps, serverPlan, warnings, knowledge}
}

/**
 * The base a map is merged against: the last state both sides agreed on; after a sync
 * killed between writing the file and recording the base, the base it was to record, if
 * the file says exactly what that sync wrote (see StoredBase).
 */
function baseOf(stored: StoredBase | undefined, record: JournalRecord | undefined, local: LocalMap | undefined): BaseEntry | undefined {
  // No sync yet, but gridsync pushed the map (or a sync was killed before its base): the state its writes left is what both sides last agreed on.
  // Only for a map that has a file: a map push kept on the server without one (no --prune) is not deleted by a first sync.
  const after = record?.after && local ? record.after : undefined
  const old = stored?.state ?? after
  const state = stored?.pending && stored.pendingFile && local && sameContent(local, stored.pendingFile) ? stored.pending : old
  if (!state) return undefined
  const url = stored?.url ?? (after?.url || undefined)
  return {file: stored?.file ?? '', ...(url === undefined ? {} : {url}), ...(stored?.readAt === undefined ? {} : {readAt: stored.readAt}), state}
}

const empty = {toServer: [], toFile: [], conflicts: []}

function mergeOne(
  name: string,
  local: LocalMap | undefined,
  k: MapKnowledge | undefined,
  base: BaseEntry | undefined,
  input: Pick<SyncInput, 'mapsDir' | 'prefer'>,
  holdMapLevel: boolean,
  observersInFiles: ReadonlyMap<string, string>,
  record?: JournalRecord,
  /** Observers (by key) not to be written into this file: another file may hold them (which, in words). */
  blocked: ReadonlyMap<string, string> = new Map(),
  /** The map's old name, when its file (syncRenames) or the server (serverRenames) renamed it since the base. */
  rename?: {from: string; on: 'file' | 'server'},
): SyncMapPlan | undefined {
  const renamedFrom = rename?.from
  const onServer = rename?.on === 'server'
  const renameFields = rename ? {renamedFrom: rename.from, renamedOn: rename.on} : {}
  const prefer = input.prefer
  const file = local?.file
  const url = k?.url ?? base?.url
  // What the server holds cannot be told yet: a create of gridsync's whose answer was lost, not shown by the listing yet.
  if (k && !k.state && k.evidence.until !== undefined) {
    return {name, action: 'unknown', file, url, ...empty, notes: [`whether the server holds this map is not known until ${clock(k.evidence.until)}; left alone until then`]}
  }

  const remote = k?.state
  const b = base?.state
  if (local && remote) {
    const refuted = new Set((k?.refuted ?? []).flatMap((op) => objectKey(op) ?? []))
    const unsure = unsureKeys(k, refuted)
    const m = mergeMap({name, base: b, file: local, server: remote, prefer, refuted, lost: lostSince(k, base, record), unsure: new Set([...unsure.keys(), ...blocked.keys()])})
    // Reported with what the server answered for them, not the stand-in.
    const held = m.held.map((st) => (unsure.has(st.key) ? {...st, server: unsure.get(st.key) ?? null} : st))
    const problems = [...fileProblems(m.file), ...outOfBounds(m.server)]
    // The answer may show the server as it is now: what is sent must stand with it too (an obstacle under a moved observer would make a map no file can hold).
    const risky = k?.unproven && m.toServer.length > 0 && unsure.size > 0 ? mapProblems(mergeMap({name, base: remote, file: m.server, server: k.unproven}).server) : []
    if (problems.length === 0 && risky.length > 0) {
      const note = `what the file sends may not stand with what the server answered (${risky.join('; ')}), and that answer cannot be told from a cached one until ${clock(k.evidence.until!)}: left alone until then`
      return {name, action: 'unknown', file, url, ...empty, held, notes: [note], local}
    }
    // Edits of both sides that cannot stand together (an observer moved onto a tile the other side put an obstacle on):
    // with a side preferred, that side's whole map wins.
    // The server's map may be one no file can hold (its edits and another client's cannot stand together): that side cannot be taken whole.
    const unwritable =
      prefer === 'remote'
        ? [
            ...fileProblems(remote),
            ...remote.observers.flatMap((o) => (blocked.has(observerKey(o.name)) ? [`observer "${o.name}" may be in ${blocked.get(observerKey(o.name))}`] : [])),
          ]
        : []
    if (problems.length > 0 && prefer !== undefined && unwritable.length === 0 && unsure.size > 0) {
      const note = `edits of both sides cannot stand together (${problems.join('; ')}), and what the server holds of ${unsure.size === 1 ? 'one object' : `${unsure.size} objects`} cannot be told until ${clock(k.evidence.until!)}: --prefer ${prefer} takes a whole side only then; left alone until then`
      return {name, action: 'unknown', file, url, ...empty, held, notes: [note], local}
    }

    if (problems.length > 0 && prefer !== undefined && unwritable.length === 0) {
      // Every difference, as one side's edit: against a base equal to the side that gives way.
      const toServer = prefer === 'local' ? mergeMap({name, base: remote, file: local, server: remote}).toServer : []
      const toFile = prefer === 'remote' ? mergeMap({name, base: local, file: local, server: remote}).toFile : []
      const note = `edits of both sides cannot stand together (${problems.join('; ')}): the ${prefer === 'local' ? "file's" : "server's"} map is taken whole (--prefer ${prefer})`
      // A renamed map keeps its new name whichever side is taken.
      const target: GridMap = prefer === 'local' ? {...local, name} : {...remote, name}
      const notes = rename ? [renameNote(rename), note] : [note]
      return {
        name,
        action: 'merge',
        file,
        url,
        toServer,
        toFile,
        conflicts: [],
        notes,
        serverTarget: toServer.length > 0 || (renamedFrom && !onServer) ? target : undefined,
        fileTarget: toFile.length > 0 || onServer ? target : undefined,
        base: target,
        local,
        ...renameFields,
      }
    }

    if (problems.length > 0) {
      const note =
        unwritable.length > 0
          ? `the server's map cannot be written into a file (${unwritable.join('; ')}), so --prefer remote cannot take it: left alone on both sides (\`--prefer local\` sends the file's map)`
          : `the merged map cannot be held by the file or the server (${problems.join('; ')}): left alone on both sides`
      return {name, action: 'conflict', file, url, toServer: [], toFile: [], conflicts: [...m.conflicts, ...m.toServer, ...m.toFile], notes: [note], local}
    }

    const action = m.conflicts.length > 0 ? 'conflict' : m.toServer.length + m.toFile.length > 0 || renamedFrom ? 'merge' : held.length > 0 ? 'unknown' : 'in-sync'
    const notes = m.conflicts.length > 0 ? [`changed on both sides since the last sync: each side keeps its value (\`--prefer local|remote\` picks one)`] : []
    if (rename) notes.unshift(renameNote(rename))
    for (const st of held.filter((h) => blocked.has(h.key))) {
      notes.push(`${st.what} may still be in ${blocked.get(st.key)}: written into this file once it is known to have left it`)
    }
    const unsureHeld = held.filter((h) => unsure.has(h.key))
    if (unsureHeld.length > 0) {
      const n = unsureHeld.length === 1 ? '1 object' : `${unsureHeld.length} objects`
      notes.push(
        `${n} cannot be told on the server until ${clock(k.evidence.until!)} (its answer may be a cached one from before gridsync's writes, or show someone else's edit): each side keeps its value until then`,
      )
    }
    if (!b && m.conflicts.length > 0) notes.push('no earlier sync of this map: what differs cannot be told apart as edits, so it is a conflict unless `--prefer`')
    const notApplied = (k?.refuted.length ?? 0) > 0
    if (notApplied) notes.push(...k.refuted.map((op) => refutedText(op)))
    return {
      name,
      action,
      file,
      url,
      toServer: m.toServer,
      toFile: m.toFile,
      conflicts: m.conflicts,
      held,
      notes,
      serverTarget: m.toServer.length > 0 || (renamedFrom && !onServer) ? m.server : undefined,
      fileTarget: m.toFile.length > 0 || onServer ? m.file : undefined,
      base: m.base,
      notApplied,
      local,
      ...renameFields,
    }
  }

  if (local) {
    // On the server no more (a 404, or not listed): deleted there since the base, or never there.
    if (b && !holdMapLevel) {
      const untouched = sameContent(local, b)
      // Only a 404 proves the server deleted it: a listing alone may be stale, and a file is never moved aside on less.
      if (k?.evidence.kind !== 'gone' && prefer !== 'local') {
        return {name, action: 'unknown', file, url, ...empty, notes: ["the server's listing does not show it, and no URL of it can prove it deleted: left alone"], local}
      }

      if (untouched || prefer === 'remote') {
        return {
          name,
          action: 'delete-file',
          file,
          url,
          ...empty,
          notes: ['deleted on the server since the last sync (its URL answers 404): the file moves to the backup folder'],
          deleteFile: true,
          dropBase: true,
          local,
        }
      }

      if (!untouched && prefer === undefined) {
        const notes = [
          'deleted on the server since the last sync, and changed in the file: the file is kept, the map not created again (`--prefer local` creates it, `--prefer remote` moves the file aside)',
        ]
        return {name, action: 'conflict', file, url, toServer: [], toFile: [], conflicts: [mapConflict(name, 'changed', null)], notes, local}
      }
    }

    if (holdMapLevel) return {name, action: 'unknown', file, url, ...empty, notes: ['not on the server: created once every map file can be read']}
    return {name, action: 'create-on-server', file, url, ...empty, notes: ['only in the files: created on the server'], serverTarget: local, base: local, local}
  }

  if (remote) {
    if (holdMapLevel) return {name, action: 'unknown', url, ...empty, notes: ['only on the server: written into a file once every map file can be read']}
    if (b) {
      const untouched = sameContent(remote, b)
      // Deleting rests on a read that can be trusted: within the cache time after gridsync's writes, a colleague's edit may not show yet.
      if (k?.evidence.kind === 'writes' && prefer !== 'remote') {
        const note = `its file was deleted since the last sync; whether the server's map changed since cannot be told until ${clock(k.evidence.until!)} (a cached answer): left alone until then`
        return {name, action: 'unknown', url, ...empty, notes: [note]}
      }

      if (untouched || prefer === 'local') {
        return {
          name,
          action: 'delete-on-server',
          url,
          ...empty,
          notes: ['its file was deleted since the last sync: the map is deleted on the server'],
          deleteOnServer: true,
          dropBase: true,
        }
      }

      if (!untouched && prefer === undefined) {
        const notes = [
          'its file was deleted since the last sync, and the map changed on the server: kept on the server, no file written (`--prefer remote` writes the file, `--prefer local` deletes the map)',
        ]
        return {name, action: 'conflict', url, toServer: [], toFile: [], conflicts: [mapConflict(name, null, 'changed')], notes}
      }
    }

    // Written as the new file would be: that also finds more observers than the grid has symbols for.
    const written = writeMap(remote)
    const problems = written.ok ? [] : written.problems
    // Observer names are unique across all maps, and so across the files: a file that would repeat one is not written.
    const taken = remote.observers.flatMap((o) => {
      const other = observersInFiles.get(o.name)
      return other === undefined || other === name ? [] : [`observer "${o.name}" is on map "${other}" in the files`]
    })
    if (problems.length + taken.length > 0) {
      return {name, action: 'conflict', url, ...empty, notes: [`only on the server, and no file can hold it: ${[...problems, ...taken].join('; ')}; left alone`]}
    }

    return {name, action: 'create-file', url, ...empty, notes: ['only on the server: written into a new file'], fileTarget: remote, base: remote}
  }

  // Gone from both sides (or only in the base): the base is dropped.
  if (base) return {name, action: 'in-sync', file: base.file, ...empty, notes: ['deleted on both sides'], dropBase: true}
  return undefined
}

/**
 * The objects whose server value cannot be told yet: the map's answer came too soon after
 * gridsync's writes to be trusted, and shows them otherwise than those writes left them.
 * It may be a cached answer from before the writes, or a current one with someone else's
 * edit; until the cache time has passed neither may be taken (deletes proven refuted
 * before excepted: they are reported as such).
 */
function unsureKeys(k: MapKnowledge | undefined, refuted: ReadonlySet<string>): Map<string, string | null> {
  if (k?.evidence.kind !== 'writes' || !k.unproven || !k.state) return new Map()
  return new Map(
    objectChanges(diffMaps(k.state, k.unproven))
      .filter((c) => !refuted.has(c.key))
      .map((c) => [c.key, c.b]),
  )
}

/** Names of the observers in `from` that `to` lacks (all of them when there is no `to`). */
function namesLeaving(from: GridMap, to: GridMap | undefined): string[] {
  const staying = new Set(to?.observers.map((o) => o.name) ?? [])
  return from.observers.map((o) => o.name).filter((n) => !staying.has(n))
}

/**
 * The objects of gridsync's writes that a trusted read shows did not happen, unless the
 * base rests on a trusted read made after those writes: that read saw their outcome
 * already (and a later absence is someone else's delete, not a lost write).
 */
function lostSince(k: MapKnowledge | undefined, base: BaseEntry | undefined, record: JournalRecord | undefined): Set<string> {
  const keys = k?.lostKeys ?? []
  if (keys.length === 0) return new Set()
  const seen = base?.readAt === undefined ? undefined : Date.parse(base.readAt)
  const wrote = record?.wroteAt ? Date.parse(record.wroteAt) : undefined
  if (seen !== undefined && wrote !== undefined && seen > wrote) return new Set()
  return new Set(keys)
}

function mapConflict(name: string, file: string | null, server: string | null): ObjectState {
  return {key: 'map', what: `map "${name}"`, base: 'present', file, server}
}

/** Why no file can hold the map, if none can (as writing it would say). */
function fileProblems(m: GridMap): string[] {
  const written = writeMap(m)
  return written.ok ? [] : written.problems
}

/** Objects outside the map's bounds: the server refuses to place them (400). */
function outOfBounds(m: GridMap): string[] {
  const out = [...m.observers, ...m.obstacles].filter((p) => p.x >= m.width || p.y >= m.height)
  return out.length > 0 ? [`${out.length} object${out.length === 1 ? '' : 's'} outside ${m.width}x${m.height}`] : []
}

/**
 * Renamed maps: new name -> old name, for each file whose base (the last sync) recorded it
 * under another map name that no file carries now, the server still holding the old name
 * and not the new one. A map's name is line 1 of its file, so this is how a user renames a
 * map; without a base for the file nothing can tell a rename from a new map.
 */
function syncRenames(mapsDir: string, loaded: LoadResult, bases: ReadonlyMap<string, StoredBase>, knowledge: Knowledge): Map<string, string> {
  const names = new Set([...loaded.maps.map((m) => m.name), ...loaded.invalid.flatMap((f) => (f.name === undefined ? [] : [f.name]))])
  const byFile = new Map<string, string>()
  for (const [name, b] of bases) if (b.state && !names.has(name)) byFile.set(b.file, name)
  const out = new Map<string, string>()
  for (const m of loaded.maps) {
    if (bases.get(m.name)?.state) continue
    const from = byFile.get(recordedFile(mapsDir, m.file))
    if (from !== undefined && knowledge.maps.get(from)?.state && !knowledge.maps.get(m.name)?.state) out.set(m.name, from)
  }

  return out
}

/**
 * Maps renamed on the server since the last sync: old name -> new name, where the old
 * name's URL answers 404 and a map new on the server (in no base and no file) holds what
 * the base held, or every observer it had (observer names are unique on a server, so
 * those moved with it). The API names no stable identity: without such evidence a
 * rename is a delete and a create (the file moves to the backup folder, a new one is
 * written), which loses nothing either.
 */
function serverRenames(
  files: ReadonlyMap<string, LocalMap>,
  invalid: ReadonlyMap<string, unknown>,
  bases: ReadonlyMap<string, StoredBase>,
  knowledge: Knowledge,
  taken: ReadonlySet<string>,
): Map<string, string> {
  const fresh = [...knowledge.maps.values()].filter((k) => k.state && !bases.get(k.name)?.state && !files.has(k.name) && !invalid.has(k.name))
  const out = new Map<string, string>()
  for (const [old, b] of bases) {
    if (!b.state || taken.has(old) || !files.has(old) || knowledge.maps.get(old)?.evidence.kind !== 'gone') continue
    const names = b.state.observers.map((o) => o.name)
    const same = fresh.filter((k) => {
      const held = new Set(k.state!.observers.map((o) => o.name))
      return sameContent({...k.state!, name: old}, b.state!) || (names.length > 0 && names.every((n) => held.has(n)))
    })
    if (same.length === 1 && ![...out.values()].includes(same[0]!.name)) out.set(same[0]!.name, old)
  }

  return out
}

function renameNote(rename: {from: string; on: 'file' | 'server'}): string {
  return rename.on === 'file'
    ? `renamed from "${rename.from}" in its file since the last sync: renamed on the server too, keeping its observers and obstacles`
    : `renamed from "${rename.from}" on the server since the last sync (its old URL answers 404, and this new map holds what it held): line 1 of its file changes too`
}

/** The server's half of the sync, planned as push plans it, on the maps with something to send only. */
function planServerHalf(server: string, maps: SyncMapPlan[], knowledge: Knowledge): Plan {
  const sending = maps.filter((mp) => mp.serverTarget || mp.deleteOnServer)
  const local: LocalMap[] = sending.flatMap((mp) => (mp.serverTarget ? [asLocal(mp.serverTarget, mp.file ?? mp.name)] : []))
  const renames = new Map(sending.flatMap((mp) => (mp.renamedFrom === undefined || mp.renamedOn !== 'file' ? [] : [[mp.name, mp.renamedFrom] as const])))
  return plan({server, local, invalid: [], knowledge, prune: true, pruneDecided: true, only: sending.map((mp) => mp.name), force: true, renames})
}

function asLocal(m: GridMap, file: string): LocalMap {
  return {name: m.name, file, width: m.width, height: m.height, observers: m.observers.map((o) => ({...o, symbol: ''})), obstacles: [...m.obstacles]}
}

export interface FileChange {
  name: string
  file: string
  status: 'written' | 'created' | 'moved' | 'skipped' | 'failed'
  backup?: string
  reason?: string
}

export interface SyncOutcome {
  push?: PushOutcome
  files: FileChange[]
  exitCode: ExitCode
}

/**
 * Carries out a sync plan: the server's half (as a push: journal, retries, read-back),
 * then the files, then the base of every map whose both sides now hold the merge.
 */
export async function runSync(
  client: SyncClient,
  planned: {plan: SyncPlan; journal: Journal; cacheMs: number},
  opts: {server: string; mapsDir: string; concurrency: number; onResult?: (r: OpResult) => void; halt?: () => Halt | undefined; now?: () => number},
): Promise<SyncOutcome> {
  const {plan: sp} = planned
  const now = opts.now ?? Date.now
  const serverPlanned: Planned = {plan: sp.serverPlan, knowledge: sp.knowledge, journal: planned.journal, cacheMs: planned.cacheMs, mapsDir: opts.mapsDir}
  const pushed = sp.serverPlan.operations.length > 0 ? await push(client, serverPlanned, {...opts, verify: true, command: 'sync'}) : undefined
  const serverDone = new Map<string, boolean>()
  for (const r of pushed?.apply.results ?? []) serverDone.set(r.op.map, (serverDone.get(r.op.map) ?? true) && succeeded(r.outcome))

  const backupDir = path.join(opts.mapsDir, STATE_DIR, BACKUP_DIR, new Date(now()).toISOString().replace(/[:.]/g, '-'))
  const namer = new FileNamer(await readdir(opts.mapsDir))
  const files: FileChange[] = []
  const stored = await readBaseFile(opts.mapsDir)
  const bases = basesOf(stored, opts.server)
  const halted = pushed?.apply.halted !== undefined
  // What each file is about to say, the server holding it already: killed before the new base, the next run
  // finds it here and in the file, and never takes what was written from the server for the file's edit.
  const before = new Map(bases)
  const editing = sp.maps.filter(
    (mp) => !halted && mp.local && mp.fileTarget && mp.base && (serverDone.get(mp.name) ?? true) && mp.action !== 'invalid' && mp.action !== 'unknown' && serverProven(mp, pushed),
  )
  for (const mp of editing) {
    bases.set(mp.name, {...(bases.get(mp.name) ?? {file: recordedFile(opts.mapsDir, mp.local!.file)}), pending: plain(mp.base!), pendingFile: plain(mp.fileTarget!)})
  }
  if (editing.length > 0) await saveBases(opts.mapsDir, opts.server, bases, stored)
  // An observer a file takes from another file goes in only once that file gave it up in this run (two maps
  // swapping observers excepted: one of them has to be written first).
  const holderOf = new Map(sp.maps.flatMap((mp) => (mp.local?.observers ?? []).map((o) => [o.name, mp.name] as const)))
  const gains = (mp: SyncMapPlan): string[] => (mp.fileTarget ? (mp.local ? namesLeaving(mp.fileTarget, mp.local) : mp.fileTarget.observers.map((o) => o.name)) : [])
  const releasedNow = new Set<string>()
  const attempted = new Set<string>()
  const stillHeld = (mp: SyncMapPlan): {observer: string; map: string} | undefined => {
    for (const observer of gains(mp)) {
      const map = holderOf.get(observer)
      if (map === undefined || map === mp.name || releasedNow.has(observer)) continue
      const other = sp.maps.find((m) => m.name === map)
      const swap = other && !attempted.has(map) && gains(other).some((o) => holderOf.get(o) === mp.name)
      if (!swap) return {observer, map}
    }
    return undefined
  }
  // Files that give up observers are written before those that take them: killed between, no name is in two files.
  const releasing = (mp: SyncMapPlan) => (mp.local && (mp.fileTarget || mp.deleteFile) ? namesLeaving(mp.local, mp.deleteFile ? undefined : mp.fileTarget).length > 0 : false)
  for (const mp of [...sp.maps.filter(releasing), ...sp.maps.filter((m) => !releasing(m))]) {
    const serverOk = serverDone.get(mp.name) ?? true
    let fileOk = true
    if (!halted && serverOk && (mp.fileTarget || mp.deleteFile)) {
      const kept = stillHeld(mp)
      attempted.add(mp.name)
      const change = kept
        ? {
            name: mp.name,
            file: mp.file ?? '',
            status: 'skipped' as const,
            reason: `observer "${kept.observer}" is still in the file of map "${kept.map}"; written once it leaves that file`,
          }
        : await writeFileSide(mp, opts.mapsDir, backupDir, namer)
      if (change.status !== 'failed' && change.status !== 'skipped' && mp.local) {
        for (const o of namesLeaving(mp.local, mp.deleteFile ? undefined : mp.fileTarget)) releasedNow.add(o)
      }
      files.push(change)
      fileOk = change.status !== 'failed' && change.status !== 'skipped'
      if (fileOk && change.file) mp.file = change.file
    }

    if (!serverOk || !fileOk || halted || mp.action === 'invalid' || mp.action === 'unknown') {
      // Not written: what the file was to say is not there, and the old base stands.
      const was = before.get(mp.name)
      if (was) bases.set(mp.name, was)
      else bases.delete(mp.name)
      continue
    }
    if (mp.dropBase) bases.delete(mp.name)
    else if (mp.base && mp.file && serverProven(mp, pushed)) {
      const readAt = trustedReadAt(mp, sp, pushed)
      // Renamed: the old name's base is this map's now; its URL changed with its name, and the next run finds it (listing, journal).
      if (mp.renamedFrom !== undefined) bases.delete(mp.renamedFrom)
      bases.set(mp.name, {
        file: recordedFile(opts.mapsDir, mp.file),
        url: mp.renamedOn === 'file' ? undefined : (urlAfter(mp, pushed) ?? bases.get(mp.name)?.url),
        ...(readAt === undefined ? {} : {readAt: new Date(readAt).toISOString()}),
        state: plain(mp.base),
      })
    }
  }

  await saveBases(opts.mapsDir, opts.server, bases)
  return {push: pushed, files, exitCode: syncExitCode(sp, pushed, files)}
}

/**
 * Whether the new base may be recorded: every write to the map acknowledged (checked by
 * the caller), and no read-back showing someone else's change, or writes missing other
 * than deletes the server refused (those count as done, and are reported). A base that moves on gridsync's own acknowledged
 * writes before a read can show them is safe: a write that later proves lost (its answer
 * never came) is told apart by the journal (lostKeys) and sent again, and keeping the old
 * base instead would make gridsync's own writes look like the server's edits.
 */
function serverProven(mp: SyncMapPlan, pushed: PushOutcome | undefined): boolean {
  // Deletes the server refuses do not hold the base back: the merge counts them as done (they are refuted, and reported).
  const verdict = pushed?.verification.maps.find((v) => v.name === mp.name)?.verdict
  return verdict !== 'conflict' && (verdict !== 'not-applied' || mp.notApplied === true || hasRefusedDeletes(pushed, mp.name))
}

/** Whether this run's read-back found deletes of the map the server acknowledged and did not carry out. */
function hasRefusedDeletes(pushed: PushOutcome | undefined, name: string): boolean {
  const deletes = pushed?.apply.results.filter((r) => r.op.map === name && (r.op.kind === 'deleteObstacle' || r.op.kind === 'deleteObserver')) ?? []
  return deletes.length > 0
}

/** When a read that can be trusted showed the server holding the new base: the read-back's, or planning's for a map nothing was sent to. */
function trustedReadAt(mp: SyncMapPlan, sp: SyncPlan, pushed: PushOutcome | undefined): number | undefined {
  if (sp.serverPlan.operations.some((op) => op.map === mp.name)) {
    const v = pushed?.verification.maps.find((m) => m.name === mp.name)
    return v?.verdict === 'confirmed' && v.evidence?.kind === 'read' ? v.evidence.at : undefined
  }

  const e = sp.knowledge.maps.get(mp.name)?.evidence
  return e?.kind === 'read' ? e.at : undefined
}

function urlAfter(mp: SyncMapPlan, pushed: PushOutcome | undefined): string | undefined {
  const created = pushed?.apply.results.find((r) => r.op.map === mp.name && r.op.kind === 'createMap')
  return created?.url ?? mp.url
}

function plain(m: GridMap): GridMap {
  return {
    name: m.name,
    width: m.width,
    height: m.height,
    observers: m.observers.map((o) => ({name: o.name, x: o.x, y: o.y, vision: o.vision})),
    obstacles: m.obstacles.map((p) => ({x: p.x, y: p.y})),
  }
}

/** Writes one map's file side: an edit of its file, a new file, or the file moved to the backup folder. */
async function writeFileSide(mp: SyncMapPlan, mapsDir: string, backupDir: string, namer: FileNamer): Promise<FileChange> {
  const name = mp.name
  try {
    if (mp.local && mp.file) {
      // The file must still say what the merge was made from: a file edited meanwhile is left alone.
      const bytes = await readFile(mp.file)
      const now = parseMap(bytes, mp.file)
      if (!now.ok || !sameContent(now.map, mp.local)) return {name, file: mp.file, status: 'skipped', reason: 'the file changed while the sync ran; it is left as it is'}
      const backup = await backUp(mp.file, mapsDir, backupDir, bytes)
      if (mp.deleteFile) {
        await rename(mp.file, backup)
        return {name, file: mp.file, status: 'moved', backup}
      }

      const edited = editMap(bytes, mp.fileTarget!)
      if (!edited.ok) return {name, file: mp.file, status: 'failed', reason: edited.problems.join('; ')}
      await replaceFileAtomic(mp.file, edited.text)
      return {name, file: mp.file, status: 'written', backup}
    }

    const written = writeMap(mp.fileTarget!)
    if (!written.ok) return {name, file: '', status: 'failed', reason: written.problems.join('; ')}
    const remote = mp.fileTarget as Partial<RemoteMap>
    const file = pathInside(mapsDir, namer.claim(fileStem(remote.slug ?? '', name)))
    await createFileAtomic(file, written.text)
    return {name, file, status: 'created'}
  } catch (error) {
    return {name, file: mp.file ?? '', status: 'failed', reason: (error as Error).message}
  }
}

async function backUp(file: string, mapsDir: string, backupDir: string, bytes: Uint8Array): Promise<string> {
  const target = path.join(backupDir, path.relative(mapsDir, file))
  const {mkdir} = await import('node:fs/promises')
  await mkdir(path.dirname(target), {recursive: true})
  await createFileAtomic(target, bytes)
  return target
}

/**
 * One exit code for a sync, most pressing first: a halt; failed operations, files that
 * could not be written, or conflicts (4); invalid files (5); then anything not known to
 * hold on the server (8).
 */
export function syncExitCode(sp: SyncPlan, pushed: PushOutcome | undefined, files: readonly FileChange[]): ExitCode {
  if (pushed?.apply.halted) return pushed.apply.halted.exitCode
  const c = pushed?.apply.counts
  const failedFiles = files.some((f) => f.status === 'failed' || f.status === 'skipped')
  if ((c && (c.failed > 0 || c.skipped > 0)) || failedFiles || sp.maps.some((m) => m.action === 'conflict')) return ExitCode.OPERATIONS_FAILED
  if (sp.maps.some((m) => m.action === 'invalid')) return ExitCode.INVALID_MAPS
  if (sp.maps.some((m) => m.action === 'unknown' || m.notApplied || (m.held?.length ?? 0) > 0)) return ExitCode.NOT_VERIFIED
  if (pushed && pushed.exitCode !== ExitCode.OK) return pushed.exitCode
  // Maps this run sent nothing to: their state rests on what planning read, which may stand on gridsync's own recent writes.
  const sent = new Set(sp.serverPlan.operations.map((op) => op.map))
  if (sp.maps.some((m) => !sent.has(m.name) && sp.knowledge.maps.get(m.name)?.evidence.kind === 'writes')) return ExitCode.NOT_VERIFIED
  return ExitCode.OK
}

/** The exit code of a dry run: 5 invalid files; with --exit-code, 4 conflicts, 3 something to do, 8 not known, 0. */
export function syncDryRunExitCode(sp: SyncPlan, exitCodeFlag: boolean): ExitCode {
  if (sp.maps.some((m) => m.action === 'invalid')) return ExitCode.INVALID_MAPS
  if (!exitCodeFlag) return ExitCode.OK
  if (sp.maps.some((m) => m.action === 'conflict')) return ExitCode.OPERATIONS_FAILED
  if (sp.maps.some((m) => m.action !== 'in-sync' && m.action !== 'unknown')) return ExitCode.CHANGES_PENDING
  if (sp.maps.some((m) => m.action === 'unknown' || m.notApplied || sp.knowledge.maps.get(m.name)?.evidence.kind === 'writes')) return ExitCode.NOT_VERIFIED
  return ExitCode.OK
}
