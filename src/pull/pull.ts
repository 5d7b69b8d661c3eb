/**
 * `gridsync pull` as a library call: read the maps directory and the server, decide
 * per map, then write each new or replaced file atomically (a replaced file is backed
 * up first). Nothing is written on a dry run.
 */

import {mkdir, readdir, readFile, stat} from 'node:fs/promises'
import path from 'node:path'

import {ExitCode, GridsyncError} from '../exit-codes.js'
import {fileAccessError, isSystemError, withFileAccess} from '../file-access.js'
import {type LoadResult, loadMapsDir} from '../format/index.js'
import {Journal, STATE_DIR} from '../sync/journal.js'
import {checkOnlyNames} from '../sync/only.js'
import {STALE_WINDOW_MS} from '../sync/session.js'
import {type AtomicWriteOptions, createFileAtomic, errorCode, removeLeftoverTempFiles, replaceFileAtomic} from './atomic.js'
import {FileNamer, pathInside} from './filenames.js'
import {indexLocal, type PlannedMap, planPull, wantedBy} from './plan.js'
import {type PullClient, readForPull} from './remote.js'

export type PullStatus = 'written' | 'present' | 'skipped' | 'failed' | 'would-write'

/** What happened to one map. */
export interface PullEntry {
  name: string
  status: PullStatus
  /** The map's file: written, already there, or (dry run) to be written. */
  file?: string
  /** Where the previous content of a replaced file was kept. */
  backup?: string
  /** Why it was skipped or failed, or a note on a present or written file. */
  reason?: string
}

export interface PullResult {
  dryRun: boolean
  /** One entry per map, sorted by name. */
  maps: PullEntry[]
  /** The folder holding this run's backups, when a file was replaced. */
  backupDir?: string
  /** Temporary files of interrupted runs that were removed. */
  removedTempFiles: string[]
  warnings: string[]
}

export interface PullOptions {
  /** The server as the journal keys it. */
  server: string
  mapsDir: string
  only?: readonly string[]
  /** Replace files whose content differs from the server (backing them up first). */
  overwrite: boolean
  dryRun: boolean
  /** Reads in flight at once. */
  concurrency: number
  now?: () => number
  write?: AtomicWriteOptions
}

/** Subfolder of the state folder that holds backups, one folder per run. */
export const BACKUP_DIR = 'backup'
/** Attempts at a free name when files keep appearing under the chosen ones. */
const NAME_ATTEMPTS = 100

export async function pull(client: PullClient, opts: PullOptions): Promise<PullResult> {
  const clock = opts.now ?? Date.now
  const now = clock()
  const loaded = await loadLocal(opts.mapsDir)
  const local = indexLocal(loaded)
  const {journal, warning} = await withFileAccess("gridsync's journal", () => Journal.load(opts.mapsDir))
  const remote = await readForPull(client, {
    wanted: wantedBy(local, opts),
    records: journal.recordsFor(opts.server),
    staleWindowMs: STALE_WINDOW_MS,
    now: clock,
    concurrency: opts.concurrency,
  })
  checkOnlyNames(opts.only, [...local.keys(), ...remote.map((r) => r.name)], opts.mapsDir)
  const namer = new FileNamer(await directoryEntries(opts.mapsDir))
  const planned = planPull({remote, local, namer, only: opts.only, overwrite: opts.overwrite})

  const warnings = loaded.invalid
    .filter((f) => f.name === undefined)
    .map((f) => `${f.file} is invalid and its map name cannot be read; if it holds one of the server's maps, that map is pulled into another file`)
  if (warning) warnings.push(warning)

  const run = new Writer(opts, namer, path.join(opts.mapsDir, STATE_DIR, BACKUP_DIR, stamp(now)))
  const removedTempFiles = opts.dryRun ? [] : await removeLeftoverTempFiles(opts.mapsDir)
  if (!opts.dryRun && planned.some((p) => p.action === 'create')) await mkdir(opts.mapsDir, {recursive: true})
  const maps: PullEntry[] = []
  for (const p of planned) maps.push(await run.carryOut(p))
  return {dryRun: opts.dryRun, maps, ...(run.backupsMade ? {backupDir: run.backupDir} : {}), removedTempFiles, warnings}
}

/**
 * Creates the maps directory (and its parents) if needed. A path through or onto a file
 * is a usage error (exit 2); a directory that cannot be made is the environment's (11).
 */
export async function createMapsDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, {recursive: true})
  } catch (error) {
    const code = errorCode(error)
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new GridsyncError(`cannot create the maps directory "${dir}": a file is in the way`, ExitCode.USAGE, 'MAPS_DIR')
    throw fileAccessError(error, 'the maps directory')
  }
}

/** Carries out the decisions, one file at a time. */
class Writer {
  backupsMade = false

  constructor(
    private readonly opts: Pick<PullOptions, 'mapsDir' | 'dryRun' | 'write'>,
    private readonly namer: FileNamer,
    readonly backupDir: string,
  ) {}

  async carryOut(p: PlannedMap): Promise<PullEntry> {
    const {name} = p
    switch (p.action) {
      case 'present':
        return {name, status: 'present', file: p.file, ...(p.note === undefined ? {} : {reason: p.note})}
      case 'skip':
        return {name, status: 'skipped', reason: p.reason}
      case 'fail':
        return {name, status: 'failed', reason: p.reason}
      case 'create':
        if (this.opts.dryRun) return {name, status: 'would-write', file: this.shown(p.fileName)}
        return this.attempt(name, this.shown(p.fileName), async () => ({name, status: 'written', file: await this.create(p)}))
      case 'replace':
        return this.attempt(name, p.file, () => this.replace(p))
    }
  }

  /**
   * Runs one map's write. A file system that refuses (permissions, a full disk, a file
   * where a directory should be) stops the pull (exit 11): the next maps would meet the
   * same. The file being written is left whole, old or new, and so is its backup.
   */
  private async attempt(name: string, file: string, write: () => Promise<PullEntry>): Promise<PullEntry> {
    try {
      return await write()
    } catch (error) {
      if (isSystemError(error)) throw fileAccessError(error, `pulling "${name}" into ${file}`)
      return {name, status: 'failed', file, reason: `cannot write ${file}: ${(error as Error).message}`}
    }
  }

  /** Writes a new file, moving on to the next free name if one appeared under the chosen name. */
  private async create(p: Extract<PlannedMap, {action: 'create'}>): Promise<string> {
    let fileName = p.fileName
    for (let attempt = 1; ; attempt++) {
      try {
        await createFileAtomic(pathInside(this.opts.mapsDir, fileName), p.text, this.opts.write)
        return this.shown(fileName)
      } catch (error) {
        if (errorCode(error) !== 'EEXIST' || attempt >= NAME_ATTEMPTS) throw error
        fileName = this.namer.claim(p.stem)
      }
    }
  }

  /** Replaces a file whose content differs, after copying it into this run's backup folder. */
  private async replace(p: Extract<PlannedMap, {action: 'replace'}>): Promise<PullEntry> {
    const {name, file} = p
    const target = pathInside(this.opts.mapsDir, path.basename(file))
    const current = await readFile(target)
    const {mode, uid, gid} = await stat(target)
    // The new file and the backup keep the mode and owner of the file they stand for.
    const write = {...this.opts.write, keep: {mode, uid, gid}}
    if (current.equals(Buffer.from(p.text))) return {name, status: 'present', file, reason: 'the file already matches the server'}
    if (this.opts.dryRun) {
      return {name, status: 'would-write', file, reason: 'the file differs from the server; it would be replaced, its content backed up first'}
    }
    await mkdir(this.backupDir, {recursive: true})
    const backup = path.join(this.backupDir, path.basename(file))
    await createFileAtomic(pathInside(this.backupDir, path.basename(file)), current, write)
    this.backupsMade = true
    await replaceFileAtomic(target, p.text, write)
    return {name, status: 'written', file, backup}
  }

  private shown(fileName: string): string {
    return path.join(this.opts.mapsDir, fileName)
  }
}

/** The maps directory's files; a directory that does not exist yet holds none. */
async function loadLocal(dir: string): Promise<LoadResult> {
  try {
    await stat(dir)
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return {maps: [], invalid: [], files: [], skipped: []}
  }
  return loadMapsDir(dir)
}

/** Every entry of the directory, or undefined when it does not exist. */
async function directoryEntries(dir: string): Promise<string[] | undefined> {
  try {
    return await readdir(dir)
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined
    throw error
  }
}

/** A time as a folder name that every file system accepts: 2024-05-01T12-30-45-123Z. */
function stamp(time: number): string {
  return new Date(time).toISOString().replace(/[:.]/g, '-')
}
