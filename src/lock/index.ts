import {mkdir, stat} from 'node:fs/promises'
import {hostname} from 'node:os'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {ExitCode, GridsyncError} from '../exit-codes.js'
import {withFileAccess} from '../file-access.js'
import {STATE_DIR} from '../sync/journal.js'
import {type LockBlocker, LockedError, UnreadableLockError} from './errors.js'
import {createExclusive, type LockFileState, readLockFile, removeIfText, removeIfTextSync, removeStale} from './files.js'
import {describeHolder, type LockHolder, lockText, parseLockText} from './holder.js'
import {holderState} from './liveness.js'

export {type LockBlocker, LockedError, UnreadableLockError} from './errors.js'
export {describeHolder, type LockHolder} from './holder.js'

/**
 * The lock that keeps two writing runs (push, pull) off one maps directory at a time.
 * It is the file `<maps dir>/.gridsync/lock`, holding the holder's PID, host and start
 * time as JSON. A lock whose holder ran on this host and has stopped (its PID is gone,
 * or the host restarted since) is stale and taken over. A lock from another host is
 * always respected, as its process cannot be checked from here.
 */
export interface Lock {
  /** The lock file. */
  file: string
  holder: LockHolder
  /** Removes the lock if it is still this one; does nothing if it is gone. */
  release(): Promise<void>
  /** release() for exit and signal handlers: synchronous, best effort, never throws. */
  releaseSync(): void
}

export interface AcquireLockOptions {
  /** The command taking the lock, named to whoever finds it held (e.g. 'push'). */
  command?: string
  /** How long to wait for a held lock to be released; 0 (the default): fail at once. */
  waitSeconds?: number
  /** How often to look again while waiting (default 500 ms). */
  pollMs?: number
  /** Receives one-line notices, e.g. that a stale lock was taken over. */
  onNotice?: (message: string) => void
  /** The clock, in epoch milliseconds. */
  now?: () => number
  /** Ends the wait for a held lock early (the run was interrupted): it fails as if the wait had run out. */
  signal?: AbortSignal
  /** Makes the hard link that publishes a new lock file; fs.promises.link unless replaced (tests). */
  link?: (existingPath: string, newPath: string) => Promise<void>
}

/**
 * A lock file that is not a lock record may be one being written (on a file system
 * without hard links, the text follows the create) for this long after it was last
 * written, either side of now (clocks of hosts sharing a directory differ a little);
 * after that it is broken, and a person must look at it.
 */
const UNREADABLE_GRACE_MS = 5000
/** How many times one attempt looks again at a lock file that keeps changing before it reports it as changing hands. */
const MAX_ROUNDS = 20
const DEFAULT_POLL_MS = 500

export function lockFilePath(mapsDir: string): string {
  return path.join(mapsDir, STATE_DIR, 'lock')
}

/**
 * Takes the lock on `mapsDir`, which must exist. Throws LockedError (exit 10) when it is
 * held, after waiting up to `waitSeconds` for it to be released.
 */
export async function acquireLock(mapsDir: string, opts: AcquireLockOptions = {}): Promise<Lock> {
  const now = opts.now ?? Date.now
  const waitSeconds = opts.waitSeconds ?? 0
  if (!Number.isFinite(waitSeconds) || waitSeconds < 0) {
    throw new GridsyncError(`the time to wait for the lock must be 0 or more seconds, not ${waitSeconds}`, ExitCode.USAGE)
  }

  await requireDirectory(mapsDir)
  const file = lockFilePath(mapsDir)
  return withFileAccess(`the lock of the maps directory ${mapsDir}`, async () => {
    await mkdir(path.dirname(file), {recursive: true})
    const context: AttemptContext = {mapsDir, file, now, command: opts.command, onNotice: opts.onNotice ?? (() => {}), link: opts.link}
    const deadline = now() + waitSeconds * 1000
    for (;;) {
      const outcome = await attempt(context)
      if (outcome.acquired) return ownedLock(file, outcome.holder, outcome.text)
      const remaining = deadline - now()
      if (remaining <= 0 || opts.signal?.aborted) throw new LockedError({mapsDir, file, blocker: outcome.blocker, waitedSeconds: waitSeconds})
      await sleep(Math.min(opts.pollMs ?? DEFAULT_POLL_MS, remaining), undefined, {signal: opts.signal}).catch(() => {})
    }
  })
}

interface AttemptContext {
  mapsDir: string
  file: string
  now: () => number
  command: string | undefined
  onNotice: (message: string) => void
  link: AcquireLockOptions['link']
}

type AttemptOutcome = {acquired: true; holder: LockHolder; text: string} | {acquired: false; blocker: LockBlocker}

/** One try at the lock: create it, or judge the existing one and take it over if stale. */
async function attempt(context: AttemptContext): Promise<AttemptOutcome> {
  const {file, now} = context
  let takeoverNotice: string | undefined
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const holder: LockHolder = {pid: process.pid, host: hostname(), startedAt: new Date(now()).toISOString()}
    if (context.command !== undefined) holder.command = context.command
    const text = lockText(holder)
    if (await createExclusive(file, text, context.link)) {
      if (takeoverNotice !== undefined) context.onNotice(takeoverNotice)
      return {acquired: true, holder, text}
    }

    const current = await readLockFile(file)
    if (current === undefined) continue
    const verdict = await judge(current, now())
    if (verdict.broken) throw new UnreadableLockError({mapsDir: context.mapsDir, file, text: current.text, mtimeMs: current.mtimeMs})
    if (verdict.stale === false) return {acquired: false, blocker: verdict.blocker}
    const removal = await removeStale(file, current.text, now())
    if (removal === 'busy') return {acquired: false, blocker: {kind: 'changing'}}
    if (removal === 'removed') takeoverNotice = `took over ${verdict.description}`
  }

  return {acquired: false, blocker: {kind: 'changing'}}
}

/**
 * What to make of a lock file: held (by a run that may be running), stale (its run has
 * ended: take it over), or broken (not a lock record, and not one being written either:
 * nobody can tell whether a run holds it, so it is never taken over).
 */
type Verdict = {stale: false; broken?: false; blocker: LockBlocker} | {stale: true; broken?: false; description: string} | {broken: true}

async function judge(current: LockFileState, now: number): Promise<Verdict> {
  const holder = await parseLockText(current.text)
  if (holder === undefined) {
    return Math.abs(now - current.mtimeMs) < UNREADABLE_GRACE_MS ? {stale: false, blocker: {kind: 'unreadable'}} : {broken: true}
  }

  const state = holderState(holder, now)
  switch (state.state) {
    case 'running': {
      return {stale: false, blocker: {kind: 'holder', holder, otherHost: false}}
    }

    case 'unknown': {
      return {stale: false, blocker: {kind: 'holder', holder, otherHost: true}}
    }

    case 'ended': {
      return {stale: true, description: `a stale lock left by ${describeHolder(holder)}; ${state.reason}`}
    }
  }
}

function ownedLock(file: string, holder: LockHolder, text: string): Lock {
  return {
    file,
    holder,
    release: () => removeIfText(file, text),
    releaseSync: () => removeIfTextSync(file, text),
  }
}

async function requireDirectory(mapsDir: string): Promise<void> {
  let isDirectory: boolean
  try {
    isDirectory = (await stat(mapsDir)).isDirectory()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
    throw new GridsyncError(`the maps directory ${mapsDir} does not exist`, ExitCode.USAGE)
  }

  if (!isDirectory) throw new GridsyncError(`the maps directory ${mapsDir} is not a directory`, ExitCode.USAGE)
}
