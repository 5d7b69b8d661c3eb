/**
 * `push --dry-run` is `diff`: rsync and rclone users type it first. The push's command
 * line is handed to diff without `--dry-run` and without the flags only a push has
 * (`--wait-lock`, `--verify`, `--no-verify`), which change nothing in a plan.
 */

export const DRY_RUN_NOTICE = 'push --dry-run runs `gridsync diff` with the same flags: it shows what a push would do and writes nothing.'

/** Push flags that diff does not take, and whether each is followed by a value. */
const PUSH_ONLY: Readonly<Record<string, boolean>> = {'--wait-lock': true, '--verify': false, '--no-verify': false}

/** The command line for diff when `argv` (a push's) asks for a dry run, else undefined. */
export function dryRunAsDiff(argv: readonly string[]): string[] | undefined {
  const end = argv.includes('--') ? argv.indexOf('--') : argv.length
  if (!argv.slice(0, end).includes('--dry-run')) return undefined
  const diff: string[] = []
  for (let i = 0; i < end; i++) {
    const arg = argv[i] as string
    const [name = ''] = arg.split('=', 1)
    if (arg === '--dry-run') continue
    if (Object.hasOwn(PUSH_ONLY, name)) {
      if (PUSH_ONLY[name] && !arg.includes('=')) i++
      continue
    }
    diff.push(arg)
  }
  return [...diff, ...argv.slice(end)]
}
