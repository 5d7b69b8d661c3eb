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

/**
 * Creates `file` with `text` unless it exists, atomically: the text goes to a temporary
 * file first, which is then hard-linked to the name. Others never see a partial lock.
 * Returns false when the file already exists.
 */
export async function createExclusive(file: string, text: string): Promise<boolean> {
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`
  await writeFile(temp, text, {flag: 'wx'})
  try {
    await link(temp, file)
    return true
  } catch (error) {
    if (errorCode(error) === 'EEXIST') return false
    throw error
  } finally {
    await unlinkIfPresent(temp)
  }
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
