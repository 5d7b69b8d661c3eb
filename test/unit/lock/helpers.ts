import {spawn, spawnSync} from 'node:child_process'
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {createInterface} from 'node:readline'
import {fileURLToPath} from 'node:url'

import {lockFilePath} from '../../../src/lock/index.js'

/** A fresh, empty maps directory; removed by the returned cleanup. */
export async function makeMapsDir(): Promise<{dir: string; cleanup: () => Promise<void>}> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gridsync-lock-'))
  return {dir, cleanup: () => rm(dir, {recursive: true, force: true})}
}

/** The PID of a process that has already ended. */
export function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''])
  if (child.pid === undefined) throw new Error('could not start a child process')
  return child.pid
}

/** Writes a lock file by hand, as another run would have left it. */
export async function plantLock(mapsDir: string, content: string): Promise<string> {
  const file = lockFilePath(mapsDir)
  await mkdir(path.dirname(file), {recursive: true})
  await writeFile(file, content)
  return file
}

export interface ContenderOutcome {
  acquired: boolean
  pid?: number
  exitCode?: number
  message?: string
}

const CONTENDER = fileURLToPath(new URL('contender.ts', import.meta.url))

/**
 * Starts `count` processes that each try to take the lock on `mapsDir` once, all let go
 * at the same moment, and returns their outcomes (`noHardLinks`: as on a file system
 * whose link() fails). Every process keeps what it got until
 * all have answered, so a winner's exit cannot free the lock for a late one.
 */
export async function contend(mapsDir: string, count: number, opts: {noHardLinks?: boolean} = {}): Promise<ContenderOutcome[]> {
  const args = ['--import', 'tsx', CONTENDER, mapsDir, ...(opts.noHardLinks ? ['--no-hard-links'] : [])]
  const children = Array.from({length: count}, () => spawn(process.execPath, args, {stdio: ['pipe', 'pipe', 'inherit']}))
  const exits = children.map((child) => new Promise((resolve) => child.on('exit', resolve)))
  const lines = children.map((child) => createInterface({input: child.stdout})[Symbol.asyncIterator]())
  const nextLine = async (index: number): Promise<string> => {
    const next = await lines[index]!.next()
    if (next.done === true) throw new Error(`contender ${index} ended without answering`)
    return next.value
  }

  try {
    await Promise.all(children.map(async (_, index) => assertLine(await nextLine(index), 'ready')))
    for (const child of children) child.stdin.write('go\n')
    return await Promise.all(children.map(async (_, index) => JSON.parse(await nextLine(index)) as ContenderOutcome))
  } finally {
    for (const child of children) child.stdin.end()
    await Promise.all(exits)
  }
}

function assertLine(line: string, expected: string): void {
  if (line !== expected) throw new Error(`a contender said ${JSON.stringify(line)} instead of ${JSON.stringify(expected)}`)
}
