import type * as Interfaces from '@oclif/core/interfaces'

import type {FlagShape, Resolution} from './types.js'

/**
 * Copies of oclif flag definitions for the two parses of a command line. Configuration
 * works on copies; the commands' own definitions (and their help) stay as written.
 */

type Definitions = Interfaces.FlagInput

function mapFlags(definitions: Definitions, fn: (name: string, flag: Interfaces.Flag<unknown>) => Interfaces.Flag<unknown>): Definitions {
  return Object.fromEntries(Object.entries(definitions).map(([name, flag]) => [name, fn(name, flag)]))
}

/**
 * For the first parse, which only reads what the command line gives: no defaults, no
 * environment, nothing required and no rules between flags, since the other layers may
 * still supply those values.
 */
export function commandLineOnly(definitions: Definitions): Definitions {
  return mapFlags(definitions, (_name, flag) => ({
    ...flag,
    default: undefined,
    env: undefined,
    required: false,
    dependsOn: undefined,
    exclusive: undefined,
    exactlyOne: undefined,
    atLeastOne: undefined,
    relationships: undefined,
    combinable: undefined,
  }))
}

/**
 * For the one real parse: the value the environment, .env or configuration file gave
 * each setting becomes its default, so the command line still wins and oclif checks
 * `required` and the rules between flags against the effective values. The flags' own
 * `env` is dropped: the resolution has already read the environment.
 */
export function withLayerDefaults(definitions: Definitions, resolution: Resolution): Definitions {
  return mapFlags(definitions, (name, flag) => {
    const layer = resolution.values[name]
    return {...flag, env: undefined, ...(layer ? {default: layer.value} : {})} as Interfaces.Flag<unknown>
  })
}

/** A command's flags and then the base flags it does not redefine: its own come first, and win. */
export function commandFlags(command: {flags?: Definitions; baseFlags?: Definitions}): Definitions {
  return {...command.flags, ...command.baseFlags, ...command.flags}
}

/** The flags of several commands in one record: every name a configuration key may use. */
export function knownFlags(flagSets: ReadonlyArray<Readonly<Record<string, unknown>> | undefined>): Record<string, FlagShape> {
  return Object.assign({}, ...flagSets) as Record<string, FlagShape>
}
