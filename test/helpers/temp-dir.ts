import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach} from 'node:test'

/**
 * A new empty directory for each test of the enclosing describe(), removed after it.
 * `created` gets its path before the describe()'s own beforeEach hooks that come later.
 */
export function useTempDir(prefix: string, created: (dir: string) => void): void {
  let dir: string | undefined
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), prefix))
    created(dir)
  })
  afterEach(async () => {
    if (dir) await rm(dir, {recursive: true, force: true})
  })
}
