/**
 * The base of a two-way sync: for each map, the last state on which the file and the
 * server were both known to agree, with the file and the URL it had then. Kept in
 * `.gridsync/sync-base.json`, per server, and replaced whole (atomically) at the end of a
 * sync, once both sides hold what it says: a sync killed before then leaves the old base,
 * against which the next run sees each side's changes again (never the old file's
 * content as an edit to send back), and what it was about to write into files (`pending`,
 * see StoredBase), so that content it wrote from the server is never taken for the file's
 * own edit. A base that cannot be read stops the run (exit 11):
 * without it, every difference would look like a conflict or, worse, a deletion.
 */
import {readFile} from 'node:fs/promises'
import path from 'node:path'

import {z} from 'zod'

import {ExitCode, GridsyncError} from '../exit-codes.js'
import type {GridMap} from '../model/types.js'
import {createMapsDir, replaceFileAtomic} from '../pull/index.js'
import {STATE_DIR} from './journal.js'

export interface BaseEntry {
  /** The map file, relative to the maps directory. */
  file: string
  /** The map's URL on the server, when known. */
  url?: string
  /** When a read that could be trusted showed the server holding this state (ISO 8601), if one did. */
  readAt?: string
  state: GridMap
}

/**
 * A base as kept: `state` may be missing (no sync has agreed on the map yet) while
 * `pending` is set. `pending` is the base a sync was about to record once it had written
 * `pendingFile` into the file (the server already holding its side of it); both are
 * recorded before the file is written and replaced by the new base after, or dropped if
 * the file was not written. A run killed in between leaves them: the next run takes
 * `pending` only if the file says exactly `pendingFile`, and the old base otherwise
 * (where the worst that follows is a conflict, never an edit taken for the other side's).
 */
export interface StoredBase extends Omit<BaseEntry, 'state'> {
  state?: GridMap
  pending?: GridMap
  pendingFile?: GridMap
}

const BASE_FILE = 'sync-base.json'
const BASE_FORMAT = 1

const count = z.number().int().nonnegative()
const gridMap = z.object({
  name: z.string(),
  width: count,
  height: count,
  observers: z.array(z.object({name: z.string(), x: count, y: count, vision: z.number().nonnegative().nullable()})),
  obstacles: z.array(z.object({x: count, y: count})),
})
const entry = z.object({
  file: z.string(),
  url: z.string().optional(),
  readAt: z.string().optional(),
  state: gridMap.optional(),
  pending: gridMap.optional(),
  pendingFile: gridMap.optional(),
})
const baseFile = z.object({v: z.literal(BASE_FORMAT), servers: z.record(z.string(), z.record(z.string(), entry))})
/** The whole file: every server's bases. */
export type BaseFile = z.infer<typeof baseFile>

export function basePath(mapsDir: string): string {
  return path.join(mapsDir, STATE_DIR, BASE_FILE)
}

export async function readBaseFile(mapsDir: string): Promise<BaseFile> {
  const file = basePath(mapsDir)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {v: BASE_FORMAT, servers: {}}
    throw error
  }

  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    parsed = undefined
  }

  const checked = baseFile.safeParse(parsed)
  if (!checked.success) {
    throw new GridsyncError(
      `${file} is not a sync base this gridsync can read; move it aside to go on (the next sync then has no base: what differs is a conflict until resolved)`,
      ExitCode.FILE_ACCESS,
      'SYNC_BASE',
    )
  }

  return checked.data
}

/** The bases of the maps on one server, by map name. */
export async function loadBases(mapsDir: string, server: string): Promise<Map<string, StoredBase>> {
  return basesOf(await readBaseFile(mapsDir), server)
}

export function basesOf(file: BaseFile, server: string): Map<string, StoredBase> {
  return new Map(Object.entries(file.servers[server] ?? {}))
}

/**
 * Replaces the bases of one server, those of other servers kept as read again now, or, for
 * a step in the middle of a run, as `read` holds them (nothing else changes the file while
 * the run holds the lock).
 */
export async function saveBases(mapsDir: string, server: string, bases: ReadonlyMap<string, StoredBase>, read?: BaseFile): Promise<void> {
  const all = read ?? (await readBaseFile(mapsDir))
  all.servers[server] = Object.fromEntries([...bases].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  await createMapsDir(path.join(mapsDir, STATE_DIR))
  await replaceFileAtomic(basePath(mapsDir), `${JSON.stringify(all)}\n`)
}
