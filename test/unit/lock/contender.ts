/**
 * A separate process that competes for the lock, for the cross-process tests. It prints
 * `ready`, waits for a `go` line on stdin, tries once (with `--no-hard-links`, as on a
 * file system without them), prints the outcome as one JSON
 * line, then keeps what it got until stdin closes.
 */
import {createInterface} from 'node:readline'

import {acquireLock, type Lock} from '../../../src/lock/index.js'
import {GridsyncError} from '../../../src/exit-codes.js'

const mapsDir = process.argv[2]
if (mapsDir === undefined) throw new Error('usage: contender.ts MAPS_DIR [--no-hard-links]')
/** As on a file system without hard links: link() fails with EPERM. */
const link =
  process.argv[3] === '--no-hard-links'
    ? async () => {
        throw Object.assign(new Error('EPERM: operation not permitted, link'), {code: 'EPERM', syscall: 'link'})
      }
    : undefined

const lines = createInterface({input: process.stdin})
let lock: Lock | undefined
const onLine = async (line: string): Promise<void> => {
  if (line !== 'go') return
  try {
    lock = await acquireLock(mapsDir, {command: 'push', link})
    process.stdout.write(`${JSON.stringify({acquired: true, pid: process.pid})}\n`)
  } catch (error) {
    const exitCode = error instanceof GridsyncError ? error.exitCode : undefined
    process.stdout.write(`${JSON.stringify({acquired: false, exitCode, message: String(error)})}\n`)
  }
}
lines.on('line', (line) => void onLine(line))
lines.on('close', () => void lock?.release())
process.stdout.write('ready\n')
