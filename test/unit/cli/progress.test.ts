import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {Progress, progressLine, type ProgressStream} from '../../../src/cli/progress.js'

/** A terminal of a given width that records what is written to it. */
function fakeTerminal(columns: number, isTTY = true): ProgressStream & {writes: string[]} {
  const writes: string[] = []
  return {isTTY, columns, writes, write: (text: string) => writes.push(text)}
}

/** What a terminal shows after these writes, for one line redrawn with \r and erase-line. */
function screen(writes: string[]): string {
  let line = ''
  for (const text of writes) {
    for (const part of text.split(/(\r|\u001B\[2K)/)) {
      if (part === '\r' || part === '\u001B[2K') line = part === '\r' ? line : ''
      else line += part
    }
  }
  return line
}

describe('the progress bar', () => {
  it('fits a narrow terminal: never as wide as it, the bar shrinking, then the count alone', () => {
    for (const columns of [80, 40, 30, 20, 12, 8, 4, 1]) {
      for (const done of [0, 1, 37, 40]) {
        const line = progressLine(done, 40, columns)
        assert.ok(line.length < Math.max(columns, 1) || line === '', `${columns} columns: ${JSON.stringify(line)}`)
      }
    }
    assert.equal(progressLine(20, 40, 80), `[${'#'.repeat(15)}${' '.repeat(15)}] 20/40 operations`)
    assert.equal(progressLine(20, 40, 30), '[#####     ] 20/40 operations')
    assert.equal(progressLine(20, 40, 20), '[######     ] 20/40')
    assert.equal(progressLine(20, 40, 8), '20/40')
  })

  it('redraws in place on a terminal: each drawing clears the line first, and the end clears it', () => {
    const tty = fakeTerminal(24)
    let time = 0
    const progress = new Progress(25, tty, () => (time += 1000))
    for (let i = 0; i < 25; i++) progress.tick()
    assert.equal(tty.writes.length, 25)
    for (const write of tty.writes) {
      assert.ok(write.startsWith('\r\u001B[2K'))
      assert.ok(!write.includes('\n'))
      assert.ok(write.length - 5 < 24, JSON.stringify(write))
    }
    assert.equal(screen(tty.writes), '[###############] 25/25')
    progress.end()
    assert.equal(screen(tty.writes), '')
  })

  it('follows a resized terminal', () => {
    const tty = fakeTerminal(80)
    let time = 0
    const progress = new Progress(40, tty, () => (time += 1000))
    progress.tick()
    tty.columns = 16
    progress.tick()
    assert.ok(screen(tty.writes).length < 16)
    assert.equal(screen(tty.writes), '[        ] 2/40')
  })

  it('draws at most every 100 ms, but always the last step', () => {
    const tty = fakeTerminal(80)
    const progress = new Progress(30, tty, () => 5)
    for (let i = 0; i < 30; i++) progress.tick()
    assert.equal(tty.writes.length, 2, 'the first and the last')
  })

  it('draws nothing in a pipe, or for short runs', () => {
    const pipe = fakeTerminal(80, false)
    const long = new Progress(100, pipe)
    for (let i = 0; i < 100; i++) long.tick()
    long.end()
    const tty = fakeTerminal(80)
    const short = new Progress(10, tty)
    for (let i = 0; i < 10; i++) short.tick()
    short.end()
    assert.deepEqual([pipe.writes, tty.writes], [[], []])
  })
})
