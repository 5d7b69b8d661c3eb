import {randomUUID} from 'node:crypto'

/** Who holds the lock on a maps directory, as recorded in the lock file. */
export interface LockHolder {
  pid: number
  host: string
  /** When the holder took the lock (ISO 8601). */
  startedAt: string
  /** The gridsync command that holds it, e.g. 'push'. */
  command?: string
}

/** The lock record's schema; zod is loaded only when a lock file is there to read. */
async function holderSchema() {
  const {z} = await import('zod')
  return z.object({
    pid: z.number().int().positive(),
    host: z.string().min(1),
    startedAt: z.string().min(1),
    command: z.string().min(1).optional(),
  })
}

/**
 * The lock file's text: the holder plus a random token, so that two locks taken by the
 * same process in the same millisecond still differ and a run only ever removes its own.
 */
export function lockText(holder: LockHolder): string {
  return `${JSON.stringify({...holder, token: randomUUID()})}\n`
}

/** The holder recorded in a lock file's text; undefined when the text is not a lock record. */
export async function parseLockText(text: string): Promise<LockHolder | undefined> {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return undefined
  }

  const parsed = (await holderSchema()).safeParse(json)
  if (!parsed.success) return undefined
  const {pid, host, startedAt, command} = parsed.data
  return command === undefined ? {pid, host, startedAt} : {pid, host, startedAt, command}
}

/** e.g. `gridsync push (PID 1234 on host foo, since 2026-11-22T18:00:00.000Z)`. */
export function describeHolder(holder: LockHolder): string {
  const who = holder.command === undefined ? 'another gridsync run' : `gridsync ${holder.command}`
  return `${who} (PID ${holder.pid} on host ${holder.host}, since ${holder.startedAt})`
}
