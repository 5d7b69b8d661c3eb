import {Flags} from '@oclif/core'

/** Flags shared by several commands. */

export const mapsDirFlag = Flags.string({
  description: 'Directory of map files (*.map, *.txt) to read.',
  env: 'GRIDSYNC_MAPS_DIR',
  default: './maps',
  helpValue: 'DIR',
})
