import assert from 'node:assert/strict'
import {readdir, readFile, rm, utimes, writeFile} from 'node:fs/promises'
import {hostname} from 'node:os'
import path from 'node:path'
import {after, describe, it} from 'node:test'
import {setImmediate as nextTurn} from 'node:timers/promises'

import {ExitCode, GridsyncError} from '../../../src/exit-codes.js'
import {takeoverClaimPath} from '../../../src/lock/files.js'
import {acquireLock, LockedError, lockFilePath, UnreadableLockError} from '../../../src/lock/index.js'
import {contend, deadPid, makeMapsDir, plantLock} from './helpers.js'

const cleanups: Array<() => Promise<void>> = []
after(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()))
})

async function mapsDir(): Promise<string> {
  const {dir, cleanup} = await makeMapsDir()
  cleanups.push(cleanup)
  return dir
}

async function lockedError(promise: Promise<unknown>): Promise<LockedError> {
  const error: unknown = await promise.then(
    () => assert.fail('the lock was taken although it is held'),
    (error: unknown) => error,
  )
  assert.ok(error instanceof LockedError, `expected a LockedError, got ${String(error)}`)
  assert.equal(error.exitCode, ExitCode.LOCKED)
  assert.equal(error.exitCode, 10)
  return error
}

async function brokenLockError(promise: Promise<unknown>): Promise<UnreadableLockError> {
  const error: unknown = await promise.then(
    () => assert.fail('a broken lock file was taken over'),
    (error: unknown) => error,
  )
  assert.ok(error instanceof UnreadableLockError, `expected an UnreadableLockError, got ${String(error)}`)
  assert.equal(error.exitCode, ExitCode.FILE_ACCESS)
  assert.equal(error.exitCode, 11)
  return error
}

/** link() as a file system without hard links answers it. */
async function noHardLinks(): Promise<void> {
  throw Object.assign(new Error('EPERM: operation not permitted, link'), {code: 'EPERM', syscall: 'link'})
}

function record(fields: Record<string, unknown>): string {
  return `${JSON.stringify(fields)}\n`
}

describe('acquireLock', () => {
  it('writes a complete JSON record of the holder into .gridsync/lock, and release removes it', async () => {
    const dir = await mapsDir()
    const lock = await acquireLock(dir, {command: 'push', now: () => Date.parse('2026-11-22T18:00:00Z')})
    assert.equal(lock.file, path.join(dir, '.gridsync', 'lock'))
    assert.deepEqual(lock.holder, {pid: process.pid, host: hostname(), startedAt: '2026-11-22T18:00:00.000Z', command: 'push'})

    const content = JSON.parse(await readFile(lock.file, 'utf8')) as Record<string, unknown>
    assert.deepEqual({...content, token: undefined}, {...lock.holder, token: undefined})
    assert.equal(typeof content.token, 'string')
    assert.deepEqual(await readdir(path.join(dir, '.gridsync')), ['lock'], 'no temporary files are left')

    await lock.release()
    await assert.rejects(readFile(lock.file, 'utf8'), {code: 'ENOENT'})
    await lock.release()

    const again = await acquireLock(dir)
    assert.equal(again.holder.command, undefined)
    await again.release()
  })

  it('refuses a maps directory that does not exist, or is a file, with a usage error naming it', async () => {
    const dir = await mapsDir()
    const missing = path.join(dir, 'missing')
    await assert.rejects(acquireLock(missing), (error: unknown) => {
      assert.ok(error instanceof GridsyncError)
      assert.equal(error.exitCode, ExitCode.USAGE)
      assert.match(error.message, new RegExp(`the maps directory ${missing} does not exist`))
      return true
    })
    await assert.rejects(readdir(missing), {code: 'ENOENT'}, 'the missing directory is not created')

    const file = path.join(dir, 'a-file')
    await writeFile(file, '')
    await assert.rejects(acquireLock(file), {exitCode: ExitCode.USAGE, message: `the maps directory ${file} is not a directory`})
  })

  it('refuses a negative time to wait', async () => {
    await assert.rejects(acquireLock(await mapsDir(), {waitSeconds: -1}), {exitCode: ExitCode.USAGE})
  })

  it('fails at once with exit 10 naming the holder while the lock is held', async () => {
    const dir = await mapsDir()
    const first = await acquireLock(dir, {command: 'push'})
    const error = await lockedError(acquireLock(dir, {command: 'pull'}))
    assert.equal(
      error.message,
      `the maps directory ${dir} is locked by gridsync push (PID ${process.pid} on host ${hostname()}, since ${first.holder.startedAt}); ` +
        'try again later or use --wait-lock SECONDS',
    )
    assert.equal(error.waitedSeconds, 0)
    assert.deepEqual(error.blocker, {kind: 'holder', holder: first.holder, otherHost: false})
    await first.release()
  })

  it('names a holder without a command as another gridsync run', async () => {
    const dir = await mapsDir()
    const first = await acquireLock(dir)
    const error = await lockedError(acquireLock(dir))
    assert.match(error.message, /is locked by another gridsync run \(PID \d+ on host /)
    await first.release()
  })

  it('waits for the lock and takes it once the holder releases it', async () => {
    const dir = await mapsDir()
    const first = await acquireLock(dir, {command: 'push'})
    let settled = false
    const waiting = acquireLock(dir, {command: 'pull', waitSeconds: 60, pollMs: 5}).finally(() => {
      settled = true
    })
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.equal(settled, false, 'the second run waits while the lock is held')

    await first.release()
    const second = await waiting
    assert.equal(second.holder.command, 'pull')
    assert.equal(JSON.parse(await readFile(second.file, 'utf8')).command, 'pull')
    await second.release()
  })

  it('gives up after the time to wait, saying how long it waited', async () => {
    const dir = await mapsDir()
    const first = await acquireLock(dir, {command: 'push'})
    const error = await lockedError(acquireLock(dir, {waitSeconds: 0.1, pollMs: 5}))
    assert.equal(error.waitedSeconds, 0.1)
    assert.match(error.message, /locked by gridsync push \(PID \d+ .*\); waited 0\.1 s; try again later or use a longer --wait-lock$/)
    assert.equal(await readFile(first.file, 'utf8').then((text) => JSON.parse(text).pid), process.pid)
    await first.release()
  })

  it('respects a lock held by another live process on this host', async () => {
    const dir = await mapsDir()
    const file = await plantLock(dir, record({pid: process.ppid, host: hostname(), startedAt: new Date().toISOString(), command: 'pull'}))
    const error = await lockedError(acquireLock(dir))
    assert.match(error.message, new RegExp(`locked by gridsync pull \\(PID ${process.ppid} on host `))
    assert.ok(JSON.parse(await readFile(file, 'utf8')).pid === process.ppid, 'the lock is left alone')
  })

  it('takes over a lock left by a process that no longer runs, with a notice', async () => {
    const dir = await mapsDir()
    const pid = deadPid()
    const startedAt = new Date().toISOString()
    await plantLock(dir, record({pid, host: hostname(), startedAt, command: 'push'}))

    const notices: string[] = []
    const lock = await acquireLock(dir, {command: 'pull', onNotice: (message) => notices.push(message)})
    assert.deepEqual(notices, [`took over a stale lock left by gridsync push (PID ${pid} on host ${hostname()}, since ${startedAt}); that process no longer runs`])
    assert.equal(JSON.parse(await readFile(lock.file, 'utf8')).pid, process.pid)
    assert.deepEqual(await readdir(path.dirname(lock.file)), ['lock'], 'no claim or temporary files are left')
    await lock.release()
  })

  it('takes over a lock taken before this host last started, even if its PID is in use again', async () => {
    const dir = await mapsDir()
    await plantLock(dir, record({pid: process.pid, host: hostname(), startedAt: '2000-01-01T00:00:00.000Z'}))
    const notices: string[] = []
    const lock = await acquireLock(dir, {onNotice: (message) => notices.push(message)})
    assert.equal(notices.length, 1)
    assert.match(notices[0]!, /^took over a stale lock left by another gridsync run \(PID \d+ .* since 2000-01-01T00:00:00\.000Z\); the host has restarted since$/)
    await lock.release()
  })

  for (const [label, content] of [
    ['empty', ''],
    ['unparsable', '{"pid": 12'],
    ['not a lock record', record({pid: 'twelve', host: hostname()})],
  ] as const) {
    it(`respects a recent ${label} lock file, which may still be being written`, async () => {
      const dir = await mapsDir()
      const file = await plantLock(dir, content)
      const error = await lockedError(acquireLock(dir))
      assert.deepEqual(error.blocker, {kind: 'unreadable'})
      assert.match(error.message, new RegExp(`is locked: its lock file ${file} is not a lock record`))
      assert.equal(await readFile(file, 'utf8'), content)
    })

    it(`refuses an old ${label} lock file with exit 11, naming it and saying how to remove it, and leaves it alone`, async () => {
      const dir = await mapsDir()
      const file = await plantLock(dir, content)
      const lastWritten = new Date(Date.now() - 60_000)
      await utimes(file, lastWritten, lastWritten)

      const error = await brokenLockError(acquireLock(dir, {waitSeconds: 1, pollMs: 50}))
      assert.match(error.message, new RegExp(`^the lock file ${file} is not a gridsync lock record \\(it holds .*; last written \\d{4}-`))
      assert.match(error.message, new RegExp(`make sure no gridsync push or pull is using ${dir} .*then remove ${file}$`))
      assert.equal(await readFile(file, 'utf8'), content)
    })
  }

  it('stops waiting for a held lock when the run is interrupted', async () => {
    const dir = await mapsDir()
    const held = await acquireLock(dir, {command: 'push'})
    const controller = new AbortController()
    const waiting = lockedError(acquireLock(dir, {waitSeconds: 600, pollMs: 20, signal: controller.signal}))
    setTimeout(() => controller.abort(), 50)
    const error = await waiting
    assert.equal(error.blocker.kind, 'holder')
    await held.release()
  })

  it('calls a lock file written in the future broken too, instead of waiting for it forever', async () => {
    const dir = await mapsDir()
    const file = await plantLock(dir, 'garbage\n')
    const future = new Date(Date.now() + 3_600_000)
    await utimes(file, future, future)
    const error = await brokenLockError(acquireLock(dir))
    assert.match(error.message, /it holds "garbage\\n"/)
  })

  it('takes the lock on a file system without hard links, by an exclusive create, and still only once', async () => {
    const dir = await mapsDir()
    const lock = await acquireLock(dir, {command: 'push', link: noHardLinks})
    assert.equal(JSON.parse(await readFile(lock.file, 'utf8')).pid, process.pid)
    assert.deepEqual(await readdir(path.join(dir, '.gridsync')), ['lock'], 'no temporary files are left')
    const error = await lockedError(acquireLock(dir, {link: noHardLinks}))
    assert.equal(error.blocker.kind, 'holder')
    await lock.release()

    const results = await Promise.allSettled(Array.from({length: 20}, () => acquireLock(dir, {link: noHardLinks})))
    assert.equal(results.filter((result) => result.status === 'fulfilled').length, 1)
    assert.ok(results.every((result) => result.status === 'fulfilled' || result.reason instanceof LockedError))
    for (const result of results) if (result.status === 'fulfilled') await result.value.release()
  })

  it('respects a lock from another host even when no such PID runs here, and says how to remove it', async () => {
    const dir = await mapsDir()
    const pid = deadPid()
    const file = await plantLock(dir, record({pid, host: 'elsewhere.example', startedAt: '2026-11-22T18:00:00Z', command: 'push'}))
    const error = await lockedError(acquireLock(dir))
    assert.equal(error.blocker.kind, 'holder')
    assert.match(error.message, new RegExp(`locked by gridsync push \\(PID ${pid} on host elsewhere\\.example, since 2026-11-22T18:00:00Z\\)`))
    assert.match(error.message, /cannot be checked from here/)
    assert.match(error.message, new RegExp(`remove ${file}; try again later`))
    assert.equal(JSON.parse(await readFile(file, 'utf8')).host, 'elsewhere.example')
  })

  it('leaves a stale lock alone while another run is taking it over, but not a takeover abandoned long ago', async () => {
    const dir = await mapsDir()
    const stale = record({pid: deadPid(), host: hostname(), startedAt: new Date().toISOString()})
    const file = await plantLock(dir, stale)
    const claim = takeoverClaimPath(file, stale)
    await writeFile(claim, '')

    const error = await lockedError(acquireLock(dir))
    assert.deepEqual(error.blocker, {kind: 'changing'})
    assert.equal(await readFile(file, 'utf8'), stale)

    const longAgo = new Date(Date.now() - 60_000)
    await utimes(claim, longAgo, longAgo)
    const notices: string[] = []
    const lock = await acquireLock(dir, {onNotice: (message) => notices.push(message)})
    assert.equal(notices.length, 1)
    assert.deepEqual(await readdir(path.dirname(file)), ['lock'])
    await lock.release()
  })

  it('lets exactly one of many simultaneous attempts in one process win', async () => {
    const dir = await mapsDir()
    const results = await Promise.allSettled(Array.from({length: 20}, () => acquireLock(dir, {command: 'push'})))
    const won = results.filter((result) => result.status === 'fulfilled')
    assert.equal(won.length, 1)
    for (const result of results) {
      if (result.status === 'rejected') {
        assert.ok(result.reason instanceof LockedError)
        assert.equal(result.reason.exitCode, ExitCode.LOCKED)
      }
    }

    const [winner] = won
    assert.equal(await readFile(winner!.value.file, 'utf8').then((text) => JSON.parse(text).startedAt), winner!.value.holder.startedAt)
    await winner!.value.release()
  })

  it('lets exactly one of many simultaneous attempts take over the same stale lock', async () => {
    const dir = await mapsDir()
    await plantLock(dir, record({pid: deadPid(), host: hostname(), startedAt: new Date().toISOString()}))
    const notices: string[] = []
    // Staggered starts, so that some attempts read the stale lock after others replaced it.
    const results = await Promise.allSettled(
      Array.from({length: 20}, async (_, index) => {
        for (let turn = 0; turn < index; turn++) await nextTurn()
        return acquireLock(dir, {onNotice: (message) => notices.push(message)})
      }),
    )
    const won = results.filter((result) => result.status === 'fulfilled')
    assert.equal(won.length, 1)
    assert.ok(notices.length <= 1, `one takeover at most is reported: ${notices.join(' | ')}`)
    assert.ok(results.every((result) => result.status === 'fulfilled' || result.reason instanceof LockedError))
    assert.deepEqual(await readdir(path.join(dir, '.gridsync')), ['lock'])
    await won[0]!.value.release()
  })

  it('lets exactly one of several processes starting together win', async () => {
    const dir = await mapsDir()
    const outcomes = await contend(dir, 4)
    assert.equal(outcomes.filter((outcome) => outcome.acquired).length, 1, JSON.stringify(outcomes))
    for (const outcome of outcomes.filter((o) => !o.acquired)) assert.equal(outcome.exitCode, ExitCode.LOCKED, outcome.message)
    await assert.rejects(readFile(lockFilePath(dir)), {code: 'ENOENT'}, 'the winner released the lock when done')
  })

  it('lets exactly one of several processes starting together win without hard links', async () => {
    const dir = await mapsDir()
    const outcomes = await contend(dir, 4, {noHardLinks: true})
    assert.equal(outcomes.filter((outcome) => outcome.acquired).length, 1, JSON.stringify(outcomes))
    for (const outcome of outcomes.filter((o) => !o.acquired)) assert.equal(outcome.exitCode, ExitCode.LOCKED, outcome.message)
  })

  it('lets exactly one of several processes take over the same stale lock', async () => {
    const dir = await mapsDir()
    await plantLock(dir, record({pid: deadPid(), host: hostname(), startedAt: new Date().toISOString()}))
    const outcomes = await contend(dir, 4)
    assert.equal(outcomes.filter((outcome) => outcome.acquired).length, 1, JSON.stringify(outcomes))
    for (const outcome of outcomes.filter((o) => !o.acquired)) assert.equal(outcome.exitCode, ExitCode.LOCKED, outcome.message)
  })
})

describe('Lock.release', () => {
  it("leaves someone else's lock alone", async () => {
    const dir = await mapsDir()
    const lock = await acquireLock(dir)
    const theirs = record({pid: process.ppid, host: hostname(), startedAt: new Date().toISOString()})
    await writeFile(lock.file, theirs)

    await lock.release()
    assert.equal(await readFile(lock.file, 'utf8'), theirs)
    lock.releaseSync()
    assert.equal(await readFile(lock.file, 'utf8'), theirs)
  })

  it('releaseSync removes its own lock and does not throw once it is gone', async () => {
    const dir = await mapsDir()
    const lock = await acquireLock(dir)
    lock.releaseSync()
    await assert.rejects(readFile(lock.file), {code: 'ENOENT'})
    lock.releaseSync()
    await lock.release()

    await rm(path.join(dir, '.gridsync'), {recursive: true})
    lock.releaseSync()
    await lock.release()
  })
})
