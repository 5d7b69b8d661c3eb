import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {Interruption} from '../../../src/cli/interrupt.js'
import {ExitCode, GridsyncError} from '../../../src/exit-codes.js'

describe('Interruption', () => {
  it('does nothing until a signal comes', async () => {
    const interruption = Interruption.watch(() => assert.fail('no notice without a signal'))
    try {
      assert.equal(interruption.halt(), undefined)
      assert.equal(interruption.signal.aborted, false)
      interruption.throwIfInterrupted('before anything was sent')
      const error = new Error('the server said no')
      await assert.rejects(
        interruption.guard(async () => Promise.reject(error)),
        (e) => e === error,
      )
    } finally {
      interruption.dispose()
    }
  })

  for (const [signal, exitCode] of [
    ['SIGINT', ExitCode.INTERRUPTED],
    ['SIGTERM', ExitCode.TERMINATED],
  ] as const) {
    it(`on ${signal}: says so once, aborts, halts with ${exitCode}, and reports errors after it as the interruption`, async () => {
      const notices: string[] = []
      const interruption = Interruption.watch((m) => notices.push(m))
      const seen: string[] = []
      interruption.whenInterrupted((s) => seen.push(s))
      try {
        process.emit(signal, signal)
        assert.equal(notices.length, 1)
        assert.match(notices[0]!, new RegExp(`^${signal} received: nothing new is sent; .* exits ${exitCode}\\. A second ${signal} ends it at once\\.$`))
        assert.deepEqual(seen, [signal])
        assert.equal(interruption.signal.aborted, true)
        assert.deepEqual(interruption.halt(), {reason: `interrupted by ${signal}`, exitCode})
        assert.throws(
          () => interruption.throwIfInterrupted('before anything was sent'),
          (e: unknown) => e instanceof GridsyncError && e.exitCode === exitCode && e.message === `interrupted by ${signal} before anything was sent`,
        )
        await assert.rejects(
          interruption.guard(async () => Promise.reject(new GridsyncError('the maps directory is locked', ExitCode.LOCKED))),
          (e: unknown) => e instanceof GridsyncError && e.exitCode === exitCode && e.message === `interrupted by ${signal}: the maps directory is locked`,
        )
        const late: string[] = []
        interruption.whenInterrupted((s) => late.push(s))
        assert.deepEqual(late, [signal], 'a listener added after the signal runs at once')
      } finally {
        interruption.dispose()
      }
    })
  }
})
