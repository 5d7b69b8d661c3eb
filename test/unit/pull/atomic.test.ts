import assert from 'node:assert/strict'
import {execFile} from 'node:child_process'
import {mkdtemp, readdir, readFile, rm, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

import {loadMapsDir} from '../../../src/format/index.js'
import {createFileAtomic, removeLeftoverTempFiles, replaceFileAtomic, tempFileFor} from '../../../src/pull/atomic.js'

const MAP = 'Tiny\n.a\na,Tiny One\n'
const OTHER = 'Tiny\na.\na,Tiny One\n'
const ATOMIC_MODULE = fileURLToPath(new URL('../../../src/pull/atomic.ts', import.meta.url))

let root: string
before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'gridsync-atomic-'))
})
after(async () => {
  await rm(root, {recursive: true, force: true})
})

const freshDir = (): Promise<string> => mkdtemp(path.join(root, 'd-'))

describe('createFileAtomic', () => {
  it('creates the file with the content and leaves no temporary file', async () => {
    const dir = await freshDir()
    await createFileAtomic(path.join(dir, 'tiny.map'), MAP)
    assert.equal(await readFile(path.join(dir, 'tiny.map'), 'utf8'), MAP)
    assert.deepEqual(await readdir(dir), ['tiny.map'])
  })

  it('fails with EEXIST and leaves an existing file as it was', async () => {
    const dir = await freshDir()
    await writeFile(path.join(dir, 'tiny.map'), 'mine')
    await assert.rejects(createFileAtomic(path.join(dir, 'tiny.map'), MAP), {code: 'EEXIST'})
    assert.equal(await readFile(path.join(dir, 'tiny.map'), 'utf8'), 'mine')
    assert.deepEqual(await readdir(dir), ['tiny.map'])
  })

  it('does not replace a file that appears after the content is written', async () => {
    const dir = await freshDir()
    const file = path.join(dir, 'tiny.map')
    const write = createFileAtomic(file, MAP, {beforeCommit: () => writeFile(file, 'arrived meanwhile')})
    await assert.rejects(write, {code: 'EEXIST'})
    assert.equal(await readFile(file, 'utf8'), 'arrived meanwhile')
    assert.deepEqual(await readdir(dir), ['tiny.map'])
  })

  it('publishes by a checked rename on file systems without hard links', async () => {
    const dir = await freshDir()
    const noLinks = async (): Promise<void> => {
      throw Object.assign(new Error('operation not permitted'), {code: 'EPERM'})
    }
    await createFileAtomic(path.join(dir, 'tiny.map'), MAP, {link: noLinks})
    assert.equal(await readFile(path.join(dir, 'tiny.map'), 'utf8'), MAP)
    await assert.rejects(createFileAtomic(path.join(dir, 'tiny.map'), OTHER, {link: noLinks}), {code: 'EEXIST'})
    assert.equal(await readFile(path.join(dir, 'tiny.map'), 'utf8'), MAP)
    assert.deepEqual(await readdir(dir), ['tiny.map'])
  })
})

describe('replaceFileAtomic', () => {
  it('replaces the content, and a symbolic link by a file instead of writing through it', async () => {
    const dir = await freshDir()
    const outside = path.join(root, `outside-${path.basename(dir)}.map`)
    await writeFile(outside, MAP)
    await symlink(outside, path.join(dir, 'link.map'))
    await replaceFileAtomic(path.join(dir, 'link.map'), OTHER)
    assert.equal(await readFile(path.join(dir, 'link.map'), 'utf8'), OTHER)
    assert.equal(await readFile(outside, 'utf8'), MAP)
    assert.deepEqual(await readdir(dir), ['link.map'])
  })
})

describe('an interrupted write', () => {
  it('that fails between writing and renaming leaves the old file whole and no temporary file', async () => {
    const dir = await freshDir()
    const file = path.join(dir, 'tiny.map')
    await writeFile(file, MAP)
    let seen = ''
    const fail = async (temp: string): Promise<void> => {
      seen = await readFile(temp, 'utf8')
      throw new Error('power cut')
    }
    await assert.rejects(replaceFileAtomic(file, OTHER, {beforeCommit: fail}), /power cut/)
    await assert.rejects(createFileAtomic(path.join(dir, 'new.map'), OTHER, {beforeCommit: fail}), /power cut/)
    assert.equal(seen, OTHER, 'the temporary file held the whole new content')
    assert.equal(await readFile(file, 'utf8'), MAP)
    assert.deepEqual(await readdir(dir), ['tiny.map'])
  })

  it('whose process is killed leaves only a hidden temporary file, ignored by map loading and removed afterwards', async () => {
    const dir = await freshDir()
    await writeFile(path.join(dir, 'tiny.map'), MAP)
    const script = `
      const {createFileAtomic, replaceFileAtomic} = await import(${JSON.stringify(ATOMIC_MODULE)})
      const die = () => process.kill(process.pid, 'SIGKILL')
      await Promise.all([
        createFileAtomic(${JSON.stringify(path.join(dir, 'new.map'))}, 'New\\n.\\n', {beforeCommit: die}),
        replaceFileAtomic(${JSON.stringify(path.join(dir, 'tiny.map'))}, 'Tiny\\n..\\n', {beforeCommit: die}),
      ])
    `
    const signal = await new Promise<string | null>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], (error) => {
        resolve((error as {signal?: string} | null)?.signal ?? null)
      })
    })
    assert.equal(signal, 'SIGKILL')

    const left = (await readdir(dir)).sort()
    assert.equal(left.includes('new.map'), false)
    assert.equal(await readFile(path.join(dir, 'tiny.map'), 'utf8'), MAP)
    const temps = left.filter((n) => n !== 'tiny.map')
    assert.ok(temps.length >= 1, `a temporary file is left: ${left.join(', ')}`)
    for (const t of temps) assert.match(t, /^\..+\.map\.\d+\.[0-9a-f]+\.tmp$/)

    const loaded = await loadMapsDir(dir)
    assert.deepEqual(loaded.files, [path.join(dir, 'tiny.map')])
    assert.equal(loaded.invalid.length, 0)

    const removed = await removeLeftoverTempFiles(dir)
    assert.deepEqual(removed.sort(), temps.map((t) => path.join(dir, t)).sort())
    assert.deepEqual(await readdir(dir), ['tiny.map'])
  })
})

describe('removeLeftoverTempFiles', () => {
  it('keeps temporary files of running processes and everything that is not a temporary file', async () => {
    const dir = await freshDir()
    const running = path.basename(tempFileFor(path.join(dir, 'a.map'))).replace(`.${process.pid}.`, `.${process.ppid}.`)
    const names = [running, '.notes.tmp', 'a.map', '.a.map.x.tmp']
    for (const n of names) await writeFile(path.join(dir, n), '')
    assert.deepEqual(await removeLeftoverTempFiles(dir), [])
    assert.deepEqual((await readdir(dir)).sort(), [...names].sort())
  })

  it('finds nothing in a directory that does not exist', async () => {
    assert.deepEqual(await removeLeftoverTempFiles(path.join(root, 'missing')), [])
  })
})
