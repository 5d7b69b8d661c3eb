import {hostname, uptime} from 'node:os'

import type {LockHolder} from './holder.js'

/**
 * Whether a lock's holder may still be running:
 * - `running`: a process with its PID exists on this host (or may: EPERM counts as alive);
 * - `unknown`: it ran on another host, where its process cannot be looked up from here;
 * - `ended`: it ran on this host and has certainly stopped.
 */
export type HolderState = {state: 'running'} | {state: 'unknown'} | {state: 'ended'; reason: string}

/**
 * A lock taken more than this long before the host's estimated boot time predates the
 * boot. The margin absorbs clock adjustments made after boot.
 */
const BOOT_MARGIN_MS = 60_000

export function holderState(holder: LockHolder, now: number): HolderState {
  if (holder.host !== hostname()) return {state: 'unknown'}
  // After a restart the old PID may belong to an unrelated process, so time decides first.
  const bootedAt = now - uptime() * 1000
  if (Date.parse(holder.startedAt) < bootedAt - BOOT_MARGIN_MS) return {state: 'ended', reason: 'the host has restarted since'}
  return processExists(holder.pid) ? {state: 'running'} : {state: 'ended', reason: 'that process no longer runs'}
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH'
  }
}
