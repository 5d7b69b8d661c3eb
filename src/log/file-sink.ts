import {closeSync, mkdirSync, openSync, writeSync} from 'node:fs'
import path from 'node:path'

import {ExitCode, GridsyncError} from '../exit-codes.js'

/**
 * A log file opened for appending: earlier runs' lines are never truncated, and each
 * line goes out in one write of the whole line, so lines of runs sharing a file do not
 * interleave. Writes are synchronous, so nothing is lost when the process ends.
 */
export class FileSink {
  private fd: number | undefined

  private constructor(
    readonly file: string,
    fd: number,
    private readonly onError: (message: string) => void,
  ) {
    this.fd = fd
  }

  /**
   * Opens (creating if needed) `file` for appending, creating its directory first if
   * missing (a fresh checkout of a maps repository has no `logs/`: the first unattended
   * run must not fail for it). A file or directory that cannot be made or opened is a
   * usage error (exit 2) naming it.
   * `onError` hears once about a write that fails later; the file is then left alone.
   */
  static open(file: string, onError: (message: string) => void): FileSink {
    try {
      mkdirSync(path.dirname(file), {recursive: true})
      return new FileSink(file, openSync(file, 'a'), onError)
    } catch (error) {
      throw new GridsyncError(`cannot open the log file "${file}": ${openProblem(file, error as NodeJS.ErrnoException)}`, ExitCode.USAGE, 'LOG_FILE')
    }
  }

  write(line: string): void {
    if (this.fd === undefined) return
    const bytes = Buffer.from(line + '\n')
    try {
      for (let done = 0; done < bytes.length;) done += writeSync(this.fd, bytes, done)
    } catch (error) {
      this.close()
      this.onError(`writing to the log file "${this.file}" failed (${(error as Error).message}); nothing more is written to it in this run`)
    }
  }

  close(): void {
    if (this.fd === undefined) return
    const {fd} = this
    this.fd = undefined
    closeSync(fd)
  }
}

function openProblem(file: string, error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return `its directory "${path.dirname(file)}" does not exist`
    case 'ENOTDIR':
    case 'EEXIST':
      return `a part of "${path.dirname(file)}" is not a directory`
    case 'EISDIR':
      return 'it is a directory'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied'
    default:
      return error.message
  }
}
