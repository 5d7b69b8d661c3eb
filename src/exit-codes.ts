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
} as const

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode]

/**
 * Each code's meaning, and where one command's runs give it a narrower one, that
 * command's own wording (by command id): its help shows that one. The root help and
 * the README show the general meaning.
 */
export const EXIT_CODE_MEANINGS: ReadonlyArray<readonly [ExitCode, string, Readonly<Record<string, string>>?]> = [
  [
    ExitCode.OK,
    'success; for diff and push: the server matches the files',
    {
      validate: 'success: every map file checked is valid',
      diff: 'success: the plan is shown (with --exit-code: there is nothing to push, the server matches the files)',
      push: 'success: the server matches the files (confirmed by reading it back, unless --no-verify)',
      pull: 'success: every map is in a file, written now or already there (with --dry-run: every map could be written)',
      config: 'success: the settings are shown, and every one of them is valid',
      sandbox: 'the sandbox stopped on SIGINT or SIGTERM',
    },
  ],
  [ExitCode.UNEXPECTED, 'an unexpected error (a bug: please report it)'],
  [
    ExitCode.USAGE,
    'usage error: unknown flag, bad flag value or setting (environment, .env, config file), missing argument',
    {
      validate: 'usage error: unknown flag, bad flag value or setting, a named file or the maps directory missing',
      pull: 'usage error: unknown flag, bad flag value or setting (environment, .env, config file), or the maps directory cannot be created',
      sandbox: 'usage error: unknown flag or bad flag value, or the address cannot be listened on',
    },
  ],
  [ExitCode.CHANGES_PENDING, 'diff --exit-code found changes a push would make', {diff: 'with --exit-code: a push would change something'}],
  [
    ExitCode.OPERATIONS_FAILED,
    'some operations failed or were skipped, or a map has a conflict (the rest were applied)',
    {pull: 'some maps were not written: the file format cannot express them, or writing failed (the others were written)'},
  ],
  [
    ExitCode.INVALID_MAPS,
    'invalid local map files (their maps were left alone)',
    {validate: 'some map files are invalid (each problem is listed)', diff: 'invalid local map files (a push would leave their maps alone)'},
  ],
  [ExitCode.NETWORK, 'network or TLS error, or the server could not be reached'],
  [ExitCode.CONTRACT, 'API version mismatch, or a server answer that breaks the API contract'],
  [ExitCode.NOT_VERIFIED, 'push applied, but reading back does not confirm the server matches', {push: 'applied, but reading back does not confirm the server matches'}],
  [ExitCode.GUARD, 'a safety guard stopped the run before any change'],
  [ExitCode.LOCKED, 'another gridsync run holds the lock on the maps directory'],
]

/** The EXIT CODES section shown in help: the given codes, in the words of `command` where it has its own. */
export function exitCodesHelp(codes: readonly ExitCode[] = EXIT_CODE_MEANINGS.map(([c]) => c), command?: string): string {
  return EXIT_CODE_MEANINGS.filter(([code]) => codes.includes(code))
    .map(([code, meaning, own]) => `${String(code).padStart(2)}  ${(command === undefined ? undefined : own?.[command]) ?? meaning}`)
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
