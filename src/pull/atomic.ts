/**
 * Writing files so that a reader sees either the old state or the complete new file,
 * never a part of it: the content goes to a hidden temporary file in the same
 * directory, is flushed to disk, and only then takes its final name. A run that is
 * killed midway leaves at most a hidden temporary file, which map loading ignores and
 * removeLeftoverTempFiles() clears.
 */

import {randomBytes} from 'node:crypto'
import {type FileHandle, link as fsLink, lstat, open, readdir, rename, rm} from 'node:fs/promises'
import path from 'node:path'

export interface AtomicWriteOptions {
  /**
   * Called once the temporary file is complete and flushed, just before it takes its
   * final name. An error thrown here abandons the write (the temporary file is removed).
   */
  beforeCommit?: (tempFile: string) => void | Promise<void>
  /** Makes the hard link that publishes a new file; fs.promises.link unless replaced. */
  link?: (existingPath: string, newPath: string) => Promise<void>
  /** The mode and owner the new file gets (those of the file it replaces or copies); the process's defaults otherwise. */
  keep?: FileOwnership
}

/** A file's permission bits and owner, as stat() gives them. */
export interface FileOwnership {
  mode: number
  uid: number
  gid: number
}

/** `.<name>.<pid>.<random>.tmp`: hidden, and not a map file name. */
const TEMP_FILE = /^\.(.+)\.(\d+)\.[0-9a-f]+\.tmp$/

/** Errors of link() that mean "this file system has no hard links", not "the name is taken". */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'])

export function tempFileFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
}

/**
 * Creates `file` with `data`, failing with an EEXIST error (and changing nothing) when
 * the name is already taken, even by a file that appeared a moment ago.
 */
export async function createFileAtomic(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  await publish(file, data, opts, async (temp) => {
    try {
      await (opts.link ?? fsLink)(temp, file)
    } catch (error) {
      if (!NO_HARD_LINKS.has(errorCode(error))) throw error
      // Without hard links the name is checked, then taken by a rename: a small window
      // remains in which a file appearing under that name would be replaced.
      if (await exists(file)) throw existsError(file)
      await rename(temp, file)
    }
  })
}

/** Replaces `file` (or creates it) with `data`; a symbolic link there is replaced, not followed. */
export async function replaceFileAtomic(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  await publish(file, data, opts, (temp) => rename(temp, file))
}

async function publish(file: string, data: string | Uint8Array, opts: AtomicWriteOptions, commit: (temp: string) => Promise<void>): Promise<void> {
  const temp = tempFileFor(file)
  try {
    const handle = await open(temp, 'wx')
    try {
      await handle.writeFile(data)
      if (opts.keep) await keepOwnership(handle, opts.keep)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await opts.beforeCommit?.(temp)
    await commit(temp)
  } finally {
    // After a link the temporary name is a second name of the new file; after a rename
    // it is gone already; after a failure it holds an abandoned copy.
    await rm(temp, {force: true})
  }
  await syncDirectory(path.dirname(file))
}

/**
 * Gives the new file the mode and owner of the one it stands in for, before it takes
 * its name: a map file readable only by its owner stays so, and one owned by another
 * user (pulled by root, say) stays theirs. An owner that cannot be kept (another user's
 * file, and this process may not give files away) abandons the write.
 */
async function keepOwnership(handle: FileHandle, keep: FileOwnership): Promise<void> {
  const {uid, gid} = await handle.stat()
  if (uid !== keep.uid || gid !== keep.gid) {
    try {
      await handle.chown(keep.uid, keep.gid)
    } catch (error) {
      throw new Error(`its owner (user ${keep.uid}, group ${keep.gid}) cannot be kept: ${(error as Error).message}; the file is left as it was`, {cause: error})
    }
  }

  await handle.chmod(keep.mode & 0o7777)
}

/**
 * Removes the temporary files that interrupted runs left in `dir`: those of processes
 * no longer running (and any carrying this process's id, which has not written yet).
 * Returns their paths; a missing directory has none.
 */
export async function removeLeftoverTempFiles(dir: string): Promise<string[]> {
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return []
    throw error
  }
  const removed: string[] = []
  for (const name of names.sort()) {
    const pid = TEMP_FILE.exec(name)?.[2]
    if (pid === undefined || (Number(pid) !== process.pid && isRunning(Number(pid)))) continue
    const file = path.join(dir, name)
    await rm(file, {force: true})
    removed.push(file)
  }
  return removed
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return errorCode(error) === 'EPERM' // it exists, under another user
  }
}

/** Makes a new name in `dir` durable; not every platform can open a directory for that. */
async function syncDirectory(dir: string): Promise<void> {
  let handle
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch {
    // best effort
  } finally {
    await handle?.close()
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file)
    return true
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false
    throw error
  }
}

function existsError(file: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EEXIST: file already exists, '${file}'`), {code: 'EEXIST', path: file})
}

export function errorCode(error: unknown): string {
  return String((error as NodeJS.ErrnoException | undefined)?.code ?? '')
}
