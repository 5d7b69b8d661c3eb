import {createHash, randomUUID} from 'node:crypto'
import {readFileSync, unlinkSync} from 'node:fs'
import {link, open, stat, unlink, writeFile} from 'node:fs/promises'

/** The lock file as read at one moment. */
export interface LockFileState {
  text: string
  mtimeMs: number
}

/**
 * A takeover claim older than this was left by a run that stopped halfway through a
 * takeover (which otherwise lasts milliseconds); it no longer blocks others.
 */
const CLAIM_ABANDONED_MS = 10_000

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code
}

async function unlinkIfPresent(file: string): Promise<void> {
  try {
    await unlink(file)
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error
  }
}

/** Errors of link() that mean "this file system makes no hard links", not "the name is taken". */
const NO_HARD_LINKS: ReadonlySet<string> = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV'])

/**
 * Creates `file` with `text` unless it exists, atomically: the text goes to a temporary
 * file first, which is then hard-linked to the name, so others never see a partial lock.
 * On a file system without hard links the name is taken by an exclusive create instead
 * (just as atomic; the text follows at once, see createByOpen). Returns false when the
 * file already exists.
 */
export async function createExclusive(file: string, text: string, makeLink: (existingPath: string, newPath: string) => Promise<void> = link): Promise<boolean> {
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`
  await writeFile(temp, text, {flag: 'wx'})
  try {
    await makeLink(temp, file)
    return true
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false
    if (!NO_HARD_LINKS.has(errorCode(error) ?? '')) throw error
  } finally {
    await unlinkIfPresent(temp)
  }

  return createByOpen(file, text)
}

/**
 * Creates `file` with `text` by an exclusive open (O_CREAT | O_EXCL): of two runs, only
 * one can create the name. The text is written right after, so for that moment a reader
 * can find the file empty or partly written; a lock file that is not a lock record and
 * was written seconds ago is taken to be one being written (see acquireLock). A write
 * that fails removes the file again: no half-written lock stays behind.
 */
async function createByOpen(file: string, text: string): Promise<boolean> {
  let handle
  try {
    handle = await open(file, 'wx')
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false
    throw error
  }

  try {
    await handle.writeFile(text)
    await handle.sync()
  } catch (error) {
    await handle.close().catch(() => {})
    await unlinkIfPresent(file)
    throw error
  }

  await handle.close()
  return true
}

/** The lock file's text and modification time, read from one open file; undefined when absent. */
export async function readLockFile(file: string): Promise<LockFileState | undefined> {
  let handle
  try {
    handle = await open(file, 'r')
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined
    throw error
  }

  try {
    const {mtimeMs} = await handle.stat()
    return {text: await handle.readFile('utf8'), mtimeMs}
  } finally {
    await handle.close()
  }
}

/** Removes `file` if it still holds `text`; a missing file is fine. */
export async function removeIfText(file: string, text: string): Promise<void> {
  if ((await readLockFile(file))?.text === text) await unlinkIfPresent(file)
}

/** removeIfText for exit and signal handlers: synchronous, and never throws. */
export function removeIfTextSync(file: string, text: string): void {
  try {
    if (readFileSync(file, 'utf8') === text) unlinkSync(file)
  } catch {
    // Best effort: the lock is gone already, or cannot be removed while exiting.
  }
}

/** The claim file for taking over the lock `file` while it holds `staleText`. */
export function takeoverClaimPath(file: string, staleText: string): string {
  return `${file}.takeover-${createHash('sha256').update(staleText).digest('hex').slice(0, 16)}`
}

/**
 * Removes a stale lock file, but only while it still holds `staleText`: two runs that
 * judged the same lock stale must not remove each other's fresh lock. A claim file named
 * after the stale text admits one run at a time; a run that gets the claim re-reads the
 * lock before removing it, and drops the claim after.
 *
 * - `removed`: the stale lock is gone; create a new one.
 * - `changed`: the lock file no longer holds `staleText`; look at it again.
 * - `busy`: another run is taking over this stale lock right now.
 */
export async function removeStale(file: string, staleText: string, now: number): Promise<'removed' | 'changed' | 'busy'> {
  const claim = takeoverClaimPath(file, staleText)
  try {
    await writeFile(claim, '', {flag: 'wx'})
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error
    return (await dropAbandonedClaim(claim, now)) ? 'changed' : 'busy'
  }

  try {
    if ((await readLockFile(file))?.text !== staleText) return 'changed'
    await unlinkIfPresent(file)
    return 'removed'
  } finally {
    await unlinkIfPresent(claim)
  }
}

/**
 * Removes the claim if it is abandoned (or already gone); true when the takeover may be
 * tried again. Two runs removing the same abandoned claim at the same instant could let a
 * third run's fresh claim be removed too; that needs a run to have died mid-takeover first.
 */
async function dropAbandonedClaim(claim: string, now: number): Promise<boolean> {
  try {
    if (now - (await stat(claim)).mtimeMs <= CLAIM_ABANDONED_MS) return false
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return true
    throw error
  }

  await unlinkIfPresent(claim)
  return true
}
