import * as Flags from '@oclif/core/flags'
import type * as Interfaces from '@oclif/core/interfaces'

import {envName, isSetting} from '../config/rules.js'

/** Flags shared by several commands. */

/** The special --server value that starts the bundled sandbox server in-process. */
export const SANDBOX_SERVER = 'sandbox'

/**
 * The flags with the environment variable of each setting filled in (GRIDSYNC_ and the
 * name in upper snake case), so that help shows it. Only help reads it: the
 * configuration layer (src/config/) reads the environment itself, with one precedence
 * for every setting. Flags only the command line may give get none.
 */
export function withEnv<T extends object>(flags: T): T {
  for (const [name, flag] of Object.entries(flags) as Array<[string, Interfaces.Flag<unknown>]>) {
    if (isSetting(name) && flag.env === undefined) flag.env = envName(name)
  }

  return flags
}

function mapsDir(description: string) {
  return Flags.string({description, env: 'GRIDSYNC_MAPS_DIR', default: './maps', helpValue: 'DIR'})
}

export const mapsDirFlag = mapsDir('Directory of the map files (*.map) to read.')

/** The same setting, as pull uses it: the directory it writes to. */
export const pullMapsDirFlag = mapsDir('Directory to write the map files (*.map) into; created if needed.')
