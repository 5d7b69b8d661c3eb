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
  force: Flags.boolean({summary: 'Overwrite maps that someone else changed on the server since gridsync last knew them (a conflict otherwise).', default: false}),
  rebuild: Flags.boolean({
    summary:
      'Delete and create again, from its file, each map whose deletes the server acknowledged but did not carry out (the only way to remove an obstacle from the reference server); counts toward --max-delete.',
    default: false,
  }),
  'stale-window': Flags.integer({
    summary:
      "The longest the server may answer reads from a cache, in seconds (the reference server: 300). Until this long after gridsync's writes, an answer that does not show them proves nothing: they are assumed and reported unconfirmed.",
    default: STALE_WINDOW_MS / 1000,
    min: 0,
    env: 'GRIDSYNC_STALE_WINDOW',
    helpValue: 'SECONDS',
  }),
  yes: Flags.boolean({summary: 'Approve what a safety guard would stop (deleting more maps than --max-delete).', default: false}),
  'skip-version-check': Flags.boolean({summary: "Do not check the server's API version first (says so loudly).", default: false}),
})
