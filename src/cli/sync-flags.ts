import {Flags} from '@oclif/core'

/** Flags that choose which maps a diff or push covers. */
export const selectionFlags = {
  only: Flags.string({summary: 'Limit the run to this map (by name); repeatable.', multiple: true}),
  prune: Flags.boolean({summary: 'Delete maps that are on the server but have no file.', default: false}),
  'skip-version-check': Flags.boolean({summary: "Do not check the server's API version first (says so loudly).", default: false}),
}
