import assert from 'node:assert/strict'
import {existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, it} from 'node:test'

// @ts-expect-error The build script is plain JavaScript, without types.
import {swapTree} from '../../../scripts/build.mjs'

describe("the build's swap of a new dist/ into place", () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gridsync-swap-'))
  })
  afterEach(() => rm(dir, {recursive: true, force: true}))

  const put = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), {recursive: true})
    writeFileSync(path.join(dir, file), text)
  }

  it('replaces each file in the same folder, adds new ones and removes the ones the new build lacks', () => {
    put('dist/main.js', 'old main')
    put('dist/old/gone.js', 'stale')
    put('dist/api/kept.js', 'old api')
    put('new/main.js', 'new main')
    put('new/api/kept.js', 'new api')
    put('new/api/deeper/added.js', 'added')
    const before = statSync(path.join(dir, 'dist'))
    const mainBefore = statSync(path.join(dir, 'dist', 'main.js'))

    swapTree(path.join(dir, 'new'), path.join(dir, 'dist'))

    assert.equal(statSync(path.join(dir, 'dist')).ino, before.ino, 'dist/ itself was never removed or replaced')
    assert.equal(readFileSync(path.join(dir, 'dist/main.js'), 'utf8'), 'new main')
    assert.notEqual(statSync(path.join(dir, 'dist/main.js')).ino, mainBefore.ino, 'a file is replaced by a rename, not rewritten in place')
    assert.equal(readFileSync(path.join(dir, 'dist/api/kept.js'), 'utf8'), 'new api')
    assert.equal(readFileSync(path.join(dir, 'dist/api/deeper/added.js'), 'utf8'), 'added')
    assert.equal(existsSync(path.join(dir, 'dist/old')), false, 'stale files and their empty folders are gone')
  })
})
