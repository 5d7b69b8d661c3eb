import assert from 'node:assert/strict'
import {existsSync} from 'node:fs'
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, it} from 'node:test'

import {ExitCode, GridsyncError} from '../../../src/exit-codes.js'
import {FileSink} from '../../../src/log/index.js'

describe('FileSink', () => {
  let dir: string

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gridsync-log-'))
  })
  afterEach(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  const noErrors = (message: string): void => assert.fail(`unexpected write error: ${message}`)

  it('creates the file and writes each line with its newline', async () => {
    const file = path.join(dir, 'run.log')
    const sink = FileSink.open(file, noErrors)
    sink.write('one')
    sink.write('two ✓')
    sink.close()
    assert.equal(await readFile(file, 'utf8'), 'one\ntwo ✓\n')
  })

  it('appends: two runs add to what is there and never truncate it', async () => {
    const file = path.join(dir, 'run.log')
    await writeFile(file, 'from before\n')
    for (const run of ['first', 'second']) {
      const sink = FileSink.open(file, noErrors)
      sink.write(`${run} start`)
      sink.write(`${run} end`)
      sink.close()
    }

    assert.equal(await readFile(file, 'utf8'), 'from before\nfirst start\nfirst end\nsecond start\nsecond end\n')
  })

  it('creates the directory of the file when it does not exist', async () => {
    const file = path.join(dir, 'missing', 'logs', 'run.log')
    const sink = FileSink.open(file, noErrors)
    sink.write('line')
    sink.close()
    assert.equal(await readFile(file, 'utf8'), 'line\n')
  })

  it('refuses a file whose directory cannot be made (a file stands in its way), as a usage error naming it', async () => {
    await writeFile(path.join(dir, 'plain'), 'a file')
    for (const file of [path.join(dir, 'plain', 'run.log'), path.join(dir, 'plain', 'deeper', 'run.log')]) {
      assert.throws(
        () => FileSink.open(file, noErrors),
        (err: unknown) =>
          err instanceof GridsyncError &&
          err.exitCode === ExitCode.USAGE &&
          err.message.startsWith(`cannot open the log file "${file}": a part of `) &&
          err.message.endsWith('is not a directory'),
      )
    }
  })

  it('refuses a directory as the log file', async () => {
    const sub = path.join(dir, 'logs')
    await mkdir(sub)
    assert.throws(
      () => FileSink.open(sub, noErrors),
      (err: unknown) => err instanceof GridsyncError && err.exitCode === ExitCode.USAGE && /it is a directory/.test(err.message),
    )
  })

  // /dev/full accepts the open and fails every write with ENOSPC, like a full disk.
  it('reports a failed write once and then leaves the file alone', {skip: existsSync('/dev/full') ? false : 'needs /dev/full'}, () => {
    const errors: string[] = []
    const sink = FileSink.open('/dev/full', (message) => errors.push(message))
    sink.write('first')
    sink.write('second')
    assert.equal(errors.length, 1)
    assert.match(errors[0]!, /^writing to the log file "\/dev\/full" failed \(.*ENOSPC.*\); nothing more is written to it in this run$/)
  })

  it('writes nothing after it is closed', async () => {
    const file = path.join(dir, 'run.log')
    const sink = FileSink.open(file, noErrors)
    sink.write('kept')
    sink.close()
    sink.write('dropped')
    sink.close()
    assert.equal(await readFile(file, 'utf8'), 'kept\n')
  })
})
