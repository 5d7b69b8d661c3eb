import * as Flags from '@oclif/core/flags'

/** Flags shared by several commands. */

function mapsDir(description: string) {
  return Flags.string({description, env: 'GRIDSYNC_MAPS_DIR', default: './maps', helpValue: 'DIR'})
}

export const mapsDirFlag = mapsDir('Directory of the map files (*.map) to read.')

/** The same setting, as pull uses it: the directory it writes to. */
export const pullMapsDirFlag = mapsDir('Directory to write the map files (*.map) into; created if needed.')
