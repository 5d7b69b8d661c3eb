import {ExitCode, GridsyncError} from '../exit-codes.js'
import {isSystemError} from '../file-access.js'

/** The exit code an error that ends a run stands for (see src/exit-codes.ts). */
export function exitCodeOf(err: Error & {exitCode?: number; oclif?: {exit?: number}}): ExitCode {
  if (err instanceof GridsyncError) return err.exitCode
  // A failed file system call is the environment's problem (permissions, a full disk), not a bug.
  if (isSystemError(err)) return ExitCode.FILE_ACCESS
  // oclif parse and validation errors carry exit 2.
  if (err.oclif?.exit === 2 || /^(Unexpected argument|Nonexistent flag|Expected |Missing )/.test(err.message)) {
    return ExitCode.USAGE
  }
  return ExitCode.UNEXPECTED
}
