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
  [
    ExitCode.NOT_VERIFIED,
    'nothing (more) to send, but the server is not known to match the files: writes not yet confirmed by a read (a caching server), or deletes the server acknowledged and did not carry out',
  ],
  [ExitCode.GUARD, 'a safety guard stopped the run before any change'],
  [ExitCode.LOCKED, 'another gridsync run holds the lock on the maps directory'],
  [ExitCode.FILE_ACCESS, "the maps directory, or gridsync's state in it (.gridsync/: lock, journal, backups), cannot be read or written"],
  [ExitCode.INTERRUPTED, 'interrupted by SIGINT (Ctrl-C): stopped sending, what was sent is recorded'],
  [ExitCode.TERMINATED, 'stopped by SIGTERM: stopped sending, what was sent is recorded'],
]

/**
 * Where one command's runs give a code a narrower meaning than the table above, that
 * command's own wording (by command id), shown in its help. The root help and the
 * README show the general meaning.
 */
export const COMMAND_EXIT_CODE_MEANINGS: Readonly<Record<string, Partial<Record<ExitCode, string>>>> = {
  validate: {
    [ExitCode.OK]: 'success: every map file checked is valid',
    [ExitCode.USAGE]: 'usage error: unknown flag, bad flag value or setting, a named file or the maps directory missing',
    [ExitCode.INVALID_MAPS]: 'some map files are invalid (each problem is listed)',
  },
  diff: {
    [ExitCode.OK]: 'success: the plan is shown (with --exit-code: the server is known to match the files)',
    [ExitCode.CHANGES_PENDING]: 'with --exit-code: a push would change something',
    [ExitCode.OPERATIONS_FAILED]: 'with --exit-code: a map is in conflict (changed on the server by someone else since gridsync last knew it)',
    [ExitCode.NOT_VERIFIED]:
      'with --exit-code: a push would send nothing, but the server is not known to match the files (writes not yet confirmed by a read, deletes the server refuses)',
    [ExitCode.INVALID_MAPS]: 'invalid local map files (a push would leave their maps alone)',
  },
  push: {
    [ExitCode.OK]: 'success: the server is known to match the files (every map confirmed by a read)',
    [ExitCode.NOT_VERIFIED]:
      'nothing more to send, but the server is not known to match the files: writes not yet confirmed by a read (the report says until when), or deletes the server refuses (push --rebuild)',
  },
  sync: {
    [ExitCode.OK]: 'success: files and server hold the same, confirmed by reads (with --dry-run: the plan is shown; with --exit-code too: nothing to do)',
    [ExitCode.CHANGES_PENDING]: 'with --dry-run --exit-code: a sync would change something, on the server or in files',
    [ExitCode.OPERATIONS_FAILED]: 'an object or a map changed on both sides (a conflict: both keep their value), or some operations or file writes failed (the rest were done)',
    [ExitCode.INVALID_MAPS]: 'invalid local map files (their maps were left alone on both sides)',
    [ExitCode.NOT_VERIFIED]:
      "nothing more to do, but the server is not known to hold it yet: writes not yet confirmed by a read, or objects held while the server's answer may be a cached one, or deletes the server refuses (the report says which, and until when)",
  },
  pull: {
    [ExitCode.OK]: 'success: every map is in a file, written now or already there (with --dry-run: every map could be written)',
    [ExitCode.USAGE]: 'usage error: unknown flag, bad flag value or setting (environment, .env, config file), or the maps directory cannot be created',
    [ExitCode.OPERATIONS_FAILED]: 'some maps were not written: the file format cannot express them, or writing failed (the others were written)',
  },
  config: {
    [ExitCode.OK]: 'success: the settings are shown, and every one of them is valid',
  },
  sandbox: {
    [ExitCode.OK]: 'the sandbox stopped on SIGINT or SIGTERM',
    [ExitCode.USAGE]: 'usage error: unknown flag or bad flag value, or the address cannot be listened on',
  },
}

/** What a run that writes to the server can end with: push's codes; sync adds CHANGES_PENDING for `--dry-run --exit-code`. */
export const WRITING_RUN_EXIT_CODES: readonly ExitCode[] = [
  ExitCode.OK,
  ExitCode.UNEXPECTED,
  ExitCode.USAGE,
  ExitCode.OPERATIONS_FAILED,
  ExitCode.INVALID_MAPS,
  ExitCode.NETWORK,
  ExitCode.CONTRACT,
  ExitCode.NOT_VERIFIED,
  ExitCode.GUARD,
  ExitCode.LOCKED,
  ExitCode.FILE_ACCESS,
  ExitCode.INTERRUPTED,
  ExitCode.TERMINATED,
]

/** The EXIT CODES section shown in help: the given codes, in the words of `command` where it has its own. */
export function exitCodesHelp(codes: readonly ExitCode[] = EXIT_CODE_MEANINGS.map(([c]) => c), command?: string): string {
  const own = command === undefined ? undefined : COMMAND_EXIT_CODE_MEANINGS[command]
  return EXIT_CODE_MEANINGS.filter(([code]) => codes.includes(code))
    .map(([code, meaning]) => `${String(code).padStart(3)}  ${own?.[code] ?? meaning}`)
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
