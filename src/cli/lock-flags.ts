import * as Flags from '@oclif/core/flags'

import {acquireLock, type Lock} from '../lock/index.js'
import type {Interruption} from './interrupt.js'
import {withEnv} from './flags.js'

/** Flags of commands that write (push, pull), which take the maps directory's lock. */
export const lockFlags = withEnv({
  'wait-lock': Flags.integer({
    summary: 'When another gridsync run holds the lock on the maps directory, wait up to this many seconds instead of exiting 10.',
    default: 0,
    min: 0,
    helpValue: 'SECONDS',
  }),
})

/**
 * Takes the maps directory's lock for the length of `fn`. A SIGINT or SIGTERM on the
 * way releases it before the process ends, so a killed run leaves no lock behind. With
 * an `interruption`, the run handles those signals itself (and ends as usual, releasing
 * the lock); the lock is released before a second signal ends the process at once.
 */
export async function withLock<T>(
  mapsDir: string,
  opts: {command: string; waitSeconds: number; notice: (message: string) => void; interruption?: Interruption},
  fn: () => Promise<T>,
): Promise<T> {
  const {interruption} = opts
  const lock: Lock = await acquireLock(mapsDir, {
    command: opts.command,
    waitSeconds: opts.waitSeconds,
    onNotice: opts.notice,
    signal: interruption?.signal,
  })
  if (interruption) {
    const forget = interruption.beforeForcedExit(() => lock.releaseSync())
    try {
      return await fn()
    } finally {
      forget()
      await lock.release()
    }
  }

  const onSignal = (signal: NodeJS.Signals): void => {
    lock.releaseSync()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    process.kill(process.pid, signal)
  }

  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    return await fn()
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await lock.release()
  }
}
