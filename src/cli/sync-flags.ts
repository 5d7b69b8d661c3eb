import * as Flags from '@oclif/core/flags'

import {DEFAULT_MAX_DELETE} from '../sync/guard.js'
import {STALE_WINDOW_MS} from '../sync/session.js'
import {withEnv} from './flags.js'

/** Flags that choose which maps a diff or push covers. */
export const selectionFlags = withEnv({
  only: Flags.string({summary: 'Limit the run to this map (by name); repeatable.', multiple: true}),
  prune: Flags.boolean({summary: 'Delete maps that are on the server but have no file.', default: false}),
  'max-delete': Flags.string({
    summary: 'Stop before any change when the plan deletes more maps than this: a number, or a percentage of the maps on the server.',
    default: DEFAULT_MAX_DELETE,
    helpValue: 'N|N%',
  }),
  force: Flags.boolean({summary: 'Overwrite maps that someone else changed on the server since gridsync last wrote them (a conflict otherwise).', default: false}),
  'stale-window': Flags.integer({
    summary: "For how many seconds after its writes a server answer identical to the one before them counts as a stale cached answer (the reference server caches reads for 300 s).",
    default: STALE_WINDOW_MS / 1000,
    min: 0,
    env: 'GRIDSYNC_STALE_WINDOW',
    helpValue: 'SECONDS',
  }),
  yes: Flags.boolean({summary: 'Approve what a safety guard would stop (deleting more maps than --max-delete).', default: false}),
  'skip-version-check': Flags.boolean({summary: "Do not check the server's API version first (says so loudly).", default: false}),
})
