/**
 * The one table of gridsync's exit codes. Commands, help texts and the README all
 * read from here, so a code keeps one meaning everywhere, with or without --json.
 */
export const ExitCode = {
  OK: 0,
  UNEXPECTED: 1,
  USAGE: 2,
  CHANGES_PENDING: 3,
  OPERATIONS_FAILED: 4,
  INVALID_MAPS: 5,
  NETWORK: 6,
  CONTRACT: 7,
  NOT_VERIFIED: 8,
  GUARD: 9,
  LOCKED: 10,
  FILE_ACCESS: 11,
  INTERRUPTED: 130,
  TERMINATED: 143,
} as const

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

export const EXIT_CODE_MEANINGS: ReadonlyArray<readonly [ExitCode, string]> = [
  [ExitCode.OK, 'success; for diff --exit-code and push: the server is known to match the files'],
  [ExitCode.UNEXPECTED, 'an unexpected error (a bug: please report it)'],
  [ExitCode.USAGE, 'usage error: unknown flag, bad flag value or setting (environment, .env, config file), missing argument or directory, an --only name that matches no map'],
  [ExitCode.CHANGES_PENDING, 'diff --exit-code found changes a push would make'],
  [ExitCode.OPERATIONS_FAILED, 'some operations failed or were skipped, or a map has a conflict (the rest were applied)'],
  [ExitCode.INVALID_MAPS, 'invalid local map files (their maps were left alone)'],
  [ExitCode.NETWORK, 'network or TLS error, or the server could not be reached or stopped answering (a push then stops sending)'],
  [ExitCode.CONTRACT, 'API version mismatch, or a server answer that breaks the API contract'],
  [ExitCode.NOT_VERIFIED, 'nothing (more) to send, but the server is not known to match the files: writes not yet confirmed by a read (a caching server), or deletes the server acknowledged and did not carry out'],
  [ExitCode.GUARD, 'a safety guard stopped the run before any change'],
  [ExitCode.LOCKED, 'another gridsync run holds the lock on the maps directory'],
  [ExitCode.FILE_ACCESS, "the maps directory, or gridsync's state in it (.gridsync/: lock, journal, backups), cannot be read or written"],
  [ExitCode.INTERRUPTED, 'interrupted by SIGINT (Ctrl-C): stopped sending, what was sent is recorded'],
  [ExitCode.TERMINATED, 'stopped by SIGTERM: stopped sending, what was sent is recorded'],
]

/** The EXIT CODES section shown in help. */
export function exitCodesHelp(codes: readonly ExitCode[] = EXIT_CODE_MEANINGS.map(([c]) => c)): string {
  return EXIT_CODE_MEANINGS.filter(([code]) => codes.includes(code))
    .map(([code, meaning]) => `${String(code).padStart(3)}  ${meaning}`)
    .join('\n')
}

/** An error that carries the exit code it stands for; the base command maps it. */
export class GridsyncError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly code: string = 'GRIDSYNC_ERROR',
  ) {
    super(message)
    this.name = 'GridsyncError'
  }
}
