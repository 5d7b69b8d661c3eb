import path from 'node:path'

import * as Flags from '@oclif/core/flags'

import type {FlagShape, Source} from './types.js'

/**
 * The rules of configuration. Settings are the commands' flags: a config-file key is
 * the flag's name (`maps-dir`), its environment variable is GRIDSYNC_ plus the name in
 * upper snake case (`GRIDSYNC_MAPS_DIR`). Every flag is a setting except those below.
 */

export const CONFIG_FILE_NAME = 'gridsync.config.json'
export const DOTENV_FILE_NAME = '.env'
export const ENV_PREFIX = 'GRIDSYNC_'

/** The flag that names the configuration file: settable by flag, environment and .env, never inside a configuration file. */
export const CONFIG_FLAG = 'config'

export function envName(flag: string, shape?: FlagShape): string {
  return shape?.env ?? ENV_PREFIX + flag.toUpperCase().replaceAll('-', '_')
}

// A standing setting would apply these to every run, unseen.
const APPROVES = 'it approves a destructive change'
const SKIPS_CHECK = 'it turns off a safety check'
const PER_RUN = 'it is chosen for each run'

/**
 * Flags only the command line may give, with the reason shown when the environment,
 * .env or a configuration file tries to set one. Any other flag, including one added
 * later, is a setting.
 */
export const COMMAND_LINE_ONLY: Readonly<Record<string, string>> = {
  prune: APPROVES,
  yes: APPROVES,
  overwrite: APPROVES,
  force: APPROVES,
  rebuild: APPROVES,
  'skip-version-check': SKIPS_CHECK,
  verify: SKIPS_CHECK,
  only: PER_RUN,
  'dry-run': PER_RUN,
  'exit-code': PER_RUN,
  json: PER_RUN,
  for: PER_RUN,
}

export function isSetting(flag: string): boolean {
  return !Object.hasOwn(COMMAND_LINE_ONLY, flag)
}

/** The reason a setting is refused, as one sentence naming where it was found. */
export function commandLineOnlyProblem(where: string, flag: string): string {
  return `${where} is not allowed: --${flag} can only be given on the command line, since ${COMMAND_LINE_ONLY[flag]}`
}

/** Settings whose values are never shown: `whole` hides the value, `header-values` keeps the header names. */
export const SECRET_SETTINGS: Readonly<Record<string, 'whole' | 'header-values'>> = {
  token: 'whole',
  header: 'header-values',
}

const INTEGER_PARSE = Flags.integer().parse
const PATH_PARSES: readonly unknown[] = [Flags.file().parse, Flags.directory().parse]

export function isIntegerFlag(shape: FlagShape): boolean {
  return shape.type === 'option' && shape.parse === INTEGER_PARSE
}

/**
 * A flag whose value is a file or directory (Flags.file, Flags.directory, or a help
 * value of FILE, DIR or PATH): relative values in a configuration file are relative to
 * the file's directory.
 */
export function isPathFlag(shape: FlagShape): boolean {
  if (shape.type !== 'option') return false
  if (PATH_PARSES.includes(shape.parse)) return true
  const help = [shape.helpValue ?? []].flat()
  return help.some((h) => /^(FILE|DIR|PATH)$/i.test(h))
}

/** A path as the user reads it: relative to the working directory when inside it, absolute otherwise. */
export function displayPath(cwd: string, file: string): string {
  const absolute = path.resolve(cwd, file)
  const relative = path.relative(cwd, absolute)
  if (relative === '') return '.'
  return relative.startsWith('..') || path.isAbsolute(relative) ? absolute : relative
}

/** Where a value was found, in messages and in `gridsync config`: `--timeout`, `.env: GRIDSYNC_TIMEOUT`, `gridsync.config.json: "timeout"`. */
export function describeOrigin(source: Source): string {
  switch (source.kind) {
    case 'flag': {
      return `--${source.flag}`
    }

    case 'env': {
      return `environment variable ${source.variable}`
    }

    case 'dotenv': {
      return `${source.file}: ${source.variable}`
    }

    case 'config': {
      return `${source.file}: "${source.key}"`
    }

    case 'default': {
      return 'default'
    }
  }
}
