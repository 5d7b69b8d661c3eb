import {Flags} from '@oclif/core'

import {DEFAULT_MAX_DELETE} from '../sync/guard.js'

/** Flags that choose which maps a diff or push covers. */
export const selectionFlags = {
  only: Flags.string({summary: 'Limit the run to this map (by name); repeatable.', multiple: true}),
  prune: Flags.boolean({summary: 'Delete maps that are on the server but have no file.', default: false}),
  'max-delete': Flags.string({
    summary: 'Stop before any change when the plan deletes more maps than this: a number, or a percentage of the maps on the server.',
    default: DEFAULT_MAX_DELETE,
    helpValue: 'N|N%',
  }),
  yes: Flags.boolean({summary: 'Approve what a safety guard would stop (deleting more maps than --max-delete).', default: false}),
  'skip-version-check': Flags.boolean({summary: "Do not check the server's API version first (says so loudly).", default: false}),
}
