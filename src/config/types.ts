import {ExitCode, GridsyncError} from '../exit-codes.js'

/**
 * What configuration needs to know of a flag: the part of an oclif flag definition
 * (or of its cached manifest entry) that says what values it takes.
 */
export interface FlagShape {
  type: 'boolean' | 'option'
  multiple?: boolean
  options?: readonly string[]
  /** Bounds of an integer flag (Flags.integer keeps them on the definition). */
  min?: number
  max?: number
  helpValue?: string | string[]
  /** The flag's own environment variable, when it names one; otherwise GRIDSYNC_ plus its name. */
  env?: string
  required?: boolean
  parse?: unknown
}

/** Where an effective value came from, highest layer first. */
export type Source =
  | {kind: 'flag'; flag: string}
  | {kind: 'env'; variable: string}
  | {kind: 'dotenv'; file: string; variable: string}
  | {kind: 'config'; file: string; key: string}
  | {kind: 'default'}

/** A value that a layer below the command line provides, checked and converted. */
export interface LayerValue {
  value: unknown
  source: Source
}

/** What the layers below the command line hold for one command. */
export interface Resolution {
  /** Per flag name, for the settings that the environment, .env or a configuration file set. */
  values: Record<string, LayerValue>
  /** The .env file that was read (as shown to the user), if there was one. */
  dotenv?: string
  configFile: ConfigFileInfo
}

/** The configuration file of a run: as shown to the user, what named it, and whether it exists. */
export interface ConfigFileInfo {
  path: string
  /** What named the file; `default` when it is the one beside the maps directory. */
  source: Source
  /** False only for the optional file beside the maps directory; a named file must exist. */
  found: boolean
}

/** The effective value of one setting and where it came from. */
export interface Setting {
  name: string
  value: unknown
  source: Source
}

/** The effective settings of a run, and the files they were read from. */
export interface Configuration {
  settings: Setting[]
  dotenv?: string
  configFile: ConfigFileInfo
}

/** A configuration problem: always a usage error (exit 2), one line per problem. */
export class ConfigError extends GridsyncError {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'), ExitCode.USAGE, 'CONFIG')
  }
}
