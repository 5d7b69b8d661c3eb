import path from 'node:path'

import {type Dotenv, readDotenv} from './dotenv.js'
import {readConfigFile} from './file.js'
import {
  COMMAND_LINE_ONLY,
  CONFIG_FILE_NAME,
  CONFIG_FLAG,
  commandLineOnlyProblem,
  describeOrigin,
  displayPath,
  envName,
  isIntegerFlag,
  isPathFlag,
  isSetting,
  SECRET_SETTINGS,
} from './rules.js'
import {ConfigError, type FlagShape, type LayerValue, type Resolution, type Source} from './types.js'

const MAPS_DIR_FLAG = 'maps-dir'

export interface ResolveOptions {
  /** The running command's flags (full definitions: their bounds and parse functions are used). */
  flags: Readonly<Record<string, FlagShape>>
  /** Every command's flags (manifest entries will do): a configuration key that another command uses is no error. */
  known: Readonly<Record<string, FlagShape>>
  /** The values given on the command line, by flag name; these win, so their lower layers are not read. */
  given: Readonly<Record<string, unknown>>
  env: Readonly<Record<string, string | undefined>>
  /** Where .env is looked for, and what relative paths outside a configuration file are relative to. */
  cwd: string
  /** The maps directory when neither the command line nor the environment names one. */
  defaultMapsDir: string
  /** Handed to a flag's own parse function, as oclif hands it the command. */
  parseContext?: unknown
}

interface Located {
  absolute: string
  file: string
  source: Source
  /** Set when the file was named (by --config or GRIDSYNC_CONFIG): it must then exist. */
  namedBy?: string
  /** The maps directory the file was found beside, when it was not named. */
  besideMapsDir?: string
}

/**
 * The values of the layers below the command line, one precedence for every setting:
 * environment variable (GRIDSYNC_*), then `.env` in the working directory, then the
 * configuration file, then the flag's default (left to the parser). Each value is
 * checked and converted to the flag's type, and remembers where it came from. Every
 * problem found is reported at once, in one ConfigError (exit 2).
 *
 * The configuration file is the one --config (or GRIDSYNC_CONFIG, in the environment or
 * .env) names, or else `gridsync.config.json` in the parent of the maps directory (as the
 * command line, environment or .env give it, or the default). A file found that way
 * cannot move the maps directory: a `maps-dir` in it must name the directory it was
 * found by. Relative paths in a configuration file are relative to the file's directory.
 */
export async function resolveLayers(o: ResolveOptions): Promise<Resolution> {
  const known = {...o.known, ...o.flags}
  const dotenv = await readDotenv(o.cwd)
  const variableProblems = checkVariables(known, o.env, dotenv)
  if (variableProblems.length > 0) throw new ConfigError(variableProblems)

  const textOf = (name: string): {text: string; source: Source} | undefined => {
    const variable = envName(name, known[name])
    const fromEnv = o.env[variable]
    if (fromEnv) return {text: fromEnv, source: {kind: 'env', variable}}
    const fromDotenv = dotenv?.variables[variable]
    if (dotenv && fromDotenv) return {text: fromDotenv, source: {kind: 'dotenv', file: dotenv.file, variable}}
    return undefined
  }

  let checks: typeof import('./values.js') | undefined
  const loadChecks = async () => (checks ??= await import('./values.js'))

  const located = locateConfigFile(o, textOf)
  const object = await readConfigFile(located.absolute, located.file, located.namedBy)
  const problems: string[] = []
  let fileValues: Record<string, unknown> = {}
  if (object) {
    const checked = (await loadChecks()).checkConfigObject(object, known, located.file)
    problems.push(...checked.problems, ...mapsDirProblems(o.cwd, located, checked.values))
    fileValues = checked.values
  }

  if (problems.length > 0) throw new ConfigError(problems)

  const configDir = path.dirname(located.absolute)
  const values: Record<string, LayerValue> = {}
  for (const [name, shape] of Object.entries(o.flags)) {
    if (!isSetting(name) || Object.hasOwn(o.given, name)) continue
    const text = textOf(name)
    let candidate: LayerValue
    if (text) {
      const checked = (await loadChecks()).checkText(shape, text.text)
      if (!checked.ok) {
        problems.push(`${describeOrigin(text.source)} ${checked.problem}`)
        continue
      }

      candidate = {value: checked.value, source: text.source}
    } else if (fileValues[name] !== undefined) {
      const value = isPathFlag(shape) ? mapItems(fileValues[name], (p) => path.resolve(configDir, String(p))) : fileValues[name]
      candidate = {value, source: {kind: 'config', file: located.file, key: name}}
    } else {
      if (shape.required) problems.push(missingProblem(name, shape, located))
      continue
    }

    try {
      values[name] = {value: await parseWithFlag(shape, candidate.value, o.parseContext), source: candidate.source}
    } catch (error) {
      const reason = Object.hasOwn(SECRET_SETTINGS, name) ? '' : `: ${(error as Error).message}`
      problems.push(`${describeOrigin(candidate.source)} is not valid${reason}`)
    }
  }

  if (problems.length > 0) throw new ConfigError(problems)
  return {
    values,
    ...(dotenv ? {dotenv: dotenv.file} : {}),
    configFile: {path: located.file, source: located.source, found: object !== undefined},
  }
}

/**
 * GRIDSYNC_ variables that cannot be used: in .env, one that is no setting of any
 * command; in .env or the environment, one for a flag only the command line may give.
 * Other GRIDSYNC_ variables of the environment are left alone (GRIDSYNC_DEBUG, ...).
 */
function checkVariables(known: Readonly<Record<string, FlagShape>>, env: ResolveOptions['env'], dotenv: Dotenv | undefined): string[] {
  const problems: string[] = []
  const commandLineOnly = new Map(Object.keys(COMMAND_LINE_ONLY).map((name) => [envName(name), name]))
  const settings = new Set(Object.entries(known).map(([name, shape]) => envName(name, shape)))
  for (const [variable, name] of commandLineOnly) {
    if (env[variable]) problems.push(commandLineOnlyProblem(`environment variable ${variable}`, name))
  }

  for (const variable of Object.keys(dotenv?.variables ?? {})) {
    const name = commandLineOnly.get(variable)
    if (name) problems.push(commandLineOnlyProblem(`${dotenv?.file}: ${variable}`, name))
    else if (!settings.has(variable)) problems.push(`${dotenv?.file}: ${variable} is not a gridsync setting`)
  }

  return problems
}

function locateConfigFile(o: ResolveOptions, textOf: (name: string) => {text: string; source: Source} | undefined): Located {
  const named = Object.hasOwn(o.given, CONFIG_FLAG) ? {text: String(o.given[CONFIG_FLAG]), source: {kind: 'flag', flag: CONFIG_FLAG} as const} : textOf(CONFIG_FLAG)
  if (named) {
    const absolute = path.resolve(o.cwd, named.text)
    return {absolute, file: displayPath(o.cwd, absolute), source: named.source, namedBy: describeOrigin(named.source)}
  }

  const mapsDir = Object.hasOwn(o.given, MAPS_DIR_FLAG) ? String(o.given[MAPS_DIR_FLAG]) : (textOf(MAPS_DIR_FLAG)?.text ?? o.defaultMapsDir)
  const besideMapsDir = path.resolve(o.cwd, mapsDir)
  const absolute = path.join(path.dirname(besideMapsDir), CONFIG_FILE_NAME)
  return {absolute, file: displayPath(o.cwd, absolute), source: {kind: 'default'}, besideMapsDir}
}

/** A file found beside the maps directory may repeat that directory as `maps-dir`, never move it. */
function mapsDirProblems(cwd: string, located: Located, values: Record<string, unknown>): string[] {
  const value = values[MAPS_DIR_FLAG]
  if (located.besideMapsDir === undefined || value === undefined) return []
  // maps-dir is a string setting in every layer.
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  const named = path.resolve(path.dirname(located.absolute), String(value))
  if (named === located.besideMapsDir) return []
  return [
    `${located.file}: "${MAPS_DIR_FLAG}" names ${displayPath(cwd, named)}, but this file was found beside the maps directory ` +
      `${displayPath(cwd, located.besideMapsDir)}, which it cannot move; to set "${MAPS_DIR_FLAG}" in a configuration file, name the file with --config`,
  ]
}

function missingProblem(name: string, shape: FlagShape, located: Located): string {
  return `--${name} is required: give it on the command line, set ${envName(name, shape)} in the environment or .env, or "${name}" in ${located.file}`
}

function mapItems(value: unknown, fn: (item: unknown) => unknown): unknown {
  return Array.isArray(value) ? value.map((item) => fn(item)) : fn(value)
}

type ParseFunction = (input: string, context: unknown, opts: FlagShape) => Promise<unknown>

/**
 * Runs a value through the flag's own parse function, as the command line would (a
 * file that must exist, a custom format). Switches and whole numbers are already
 * checked; the parse function of a switch would run its action (help, version).
 */
async function parseWithFlag(shape: FlagShape, value: unknown, context: unknown): Promise<unknown> {
  if (shape.type !== 'option' || typeof shape.parse !== 'function' || isIntegerFlag(shape)) return value
  const parse = shape.parse as ParseFunction
  if (Array.isArray(value)) return Promise.all(value.map((item) => parse(String(item), context, shape)))
  return parse(String(value), context, shape)
}
