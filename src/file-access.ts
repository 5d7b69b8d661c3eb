/**
 * Errors of the local file system (a maps directory that cannot be written, a file where
 * `.gridsync/` should be a directory, a full disk) are the environment's, not bugs: they
 * end a run with exit 11 and one line that names the path and the reason.
 */
import {ExitCode, GridsyncError} from './exit-codes.js'

/** The maps directory or gridsync's state in it cannot be read or written: exit 11. */
export class FileAccessError extends GridsyncError {
  constructor(
    message: string,
    readonly path?: string,
  ) {
    super(message, ExitCode.FILE_ACCESS, 'FILE_ACCESS')
    this.name = 'FileAccessError'
  }
}

/** What Node reports for a failed file system call. */
interface SystemError {
  code: string
  syscall?: string
  path?: string
  dest?: string
  message: string
}

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EISDIR: 'it is a directory, not a file',
  ENOENT: 'it does not exist',
  EEXIST: 'something of that name is already there',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EIO: 'an input/output error of the device',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  EBUSY: 'it is busy',
  ETXTBSY: 'it is busy',
}

const DOING: Readonly<Record<string, string>> = {
  mkdir: 'create the directory',
  open: 'open',
  read: 'read',
  write: 'write',
  readdir: 'read the directory',
  scandir: 'read the directory',
  rename: 'rename',
  link: 'link',
  unlink: 'remove',
  rmdir: 'remove the directory',
  stat: 'look at',
  lstat: 'look at',
  fstat: 'look at',
  chmod: 'set the mode of',
  fchmod: 'set the mode of',
  chown: 'set the owner of',
  fchown: 'set the owner of',
  fsync: 'flush',
  fdatasync: 'flush',
  copyfile: 'copy',
  utime: 'set the time of',
  futime: 'set the time of',
  access: 'access',
  realpath: 'resolve',
  readlink: 'read the link',
  symlink: 'link',
  rm: 'remove',
  ftruncate: 'truncate',
  close: 'close',
}

/** Whether an error is a failed file system call (it carries a system error code and a file system call). */
export function isSystemError(error: unknown): error is SystemError {
  if (!(error instanceof Error)) return false
  const e = error as Error & Partial<SystemError>
  return typeof e.code === 'string' && /^E[A-Z0-9]+$/.test(e.code) && typeof e.syscall === 'string' && e.syscall in DOING
}

/** The reason of a failed file system call in words, with its code: `permission denied (EACCES)`. */
export function fileErrorReason(error: unknown): string {
  if (!isSystemError(error)) return error instanceof Error ? error.message : String(error)
  const words = REASONS[error.code]
  return words ? `${words} (${error.code})` : error.message
}

/**
 * A failed file system call as a FileAccessError, e.g. `cannot create the directory
 * "maps/.gridsync": something of that name is already there (EEXIST)`. `what` names the
 * file in the user's terms when the call's own path would say less.
 */
export function fileAccessError(error: unknown, what?: string): FileAccessError {
  if (!isSystemError(error)) return new FileAccessError(`${what ?? 'a file'}: ${fileErrorReason(error)}`)
  const doing = DOING[error.syscall ?? ''] ?? 'use'
  const target = error.path === undefined ? (what ?? 'a file') : `"${error.path}"`
  const about = what !== undefined && error.path !== undefined ? ` (${what})` : ''
  return new FileAccessError(`cannot ${doing} ${target}${about}: ${fileErrorReason(error)}`, error.path)
}

/**
 * An error as the user should see it: a failed file system call becomes a FileAccessError
 * (exit 11); anything else is returned as it is.
 */
export function asFileAccessError(error: Error): Error {
  return isSystemError(error) ? fileAccessError(error) : error
}

/** Runs `fn`; a failed file system call in it becomes a FileAccessError naming `what`. */
export async function withFileAccess<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    throw isSystemError(error) ? fileAccessError(error, what) : error
  }
}
