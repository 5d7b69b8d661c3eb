import * as Flags from '@oclif/core/flags'

/** Flags shared by several commands. */

export const mapsDirFlag = Flags.string({
  description: 'Directory of map files (*.map, *.txt) to read.',
  env: 'GRIDSYNC_MAPS_DIR',
  default: './maps',
  helpValue: 'DIR',
})
