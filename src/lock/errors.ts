import {ExitCode, GridsyncError} from '../exit-codes.js'
import {describeHolder, type LockHolder} from './holder.js'

/**
 * What keeps a run from taking the lock:
 * - `holder`: a run that is (or, from another host, may be) running;
 * - `unreadable`: a lock file that is not a lock record and too recent to call stale;
 * - `changing`: the lock file is changing hands right now (another run is taking it over).
 */
export type LockBlocker = {kind: 'holder'; holder: LockHolder; otherHost: boolean} | {kind: 'unreadable'} | {kind: 'changing'}

/** Another gridsync run holds the lock on the maps directory: exit 10. */
export class LockedError extends GridsyncError {
  readonly mapsDir: string
  readonly file: string
  readonly blocker: LockBlocker
  /** How long the run waited for the lock (0: it did not wait). */
  readonly waitedSeconds: number

  constructor(details: {mapsDir: string; file: string; blocker: LockBlocker; waitedSeconds: number}) {
    super(`the maps directory ${details.mapsDir} is locked${blockerText(details.blocker, details.file)}; ${adviceText(details.waitedSeconds)}`, ExitCode.LOCKED, 'LOCKED')
    this.name = 'LockedError'
    this.mapsDir = details.mapsDir
    this.file = details.file
    this.blocker = details.blocker
    this.waitedSeconds = details.waitedSeconds
  }
}

function blockerText(blocker: LockBlocker, file: string): string {
  switch (blocker.kind) {
    case 'holder': {
      const otherHost = blocker.otherHost ? `; that host's processes cannot be checked from here: if that run is known to have ended, remove ${file}` : ''
      return ` by ${describeHolder(blocker.holder)}${otherHost}`
    }

    case 'unreadable': {
      return `: its lock file ${file} is not a lock record (it may still be being written)`
    }

    case 'changing': {
      return `: its lock file ${file} is changing hands (another run is taking over a stale lock)`
    }
  }
}

function adviceText(waitedSeconds: number): string {
  return waitedSeconds > 0 ? `waited ${waitedSeconds} s; try again later or use a longer --wait-lock` : 'try again later or use --wait-lock SECONDS'
}

/**
 * The lock file holds something that is not a lock record, and has for a while: which
 * run (if any) holds the maps directory cannot be told from it, so it is not taken over.
 * Exit 11: gridsync's state in the maps directory cannot be read. Waiting would not help.
 */
export class UnreadableLockError extends GridsyncError {
  readonly file: string

  constructor(details: {mapsDir: string; file: string; text: string; mtimeMs: number}) {
    const {mapsDir, file, text, mtimeMs} = details
    super(
      `the lock file ${file} is not a gridsync lock record (it holds ${preview(text)}; last written ${new Date(mtimeMs).toISOString()}), ` +
        `so whether a run holds ${mapsDir} cannot be told from it; make sure no gridsync push or pull is using ${mapsDir} ` +
        `(on this host or any other that shares it), then remove ${file}`,
      ExitCode.FILE_ACCESS,
      'LOCK_UNREADABLE',
    )
    this.name = 'UnreadableLockError'
    this.file = file
  }
}

/** The start of a file's text, quoted, for a message. */
function preview(text: string): string {
  if (text.trim() === '') return 'nothing but white space'
  const chars = [...text]
  return chars.length > 40 ? `${JSON.stringify(chars.slice(0, 40).join(''))}...` : JSON.stringify(text)
}
