import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {colorEnabled, terminalSafe} from '../../../src/cli/output.js'

describe('terminalSafe', () => {
  const hostile = 'A\u001B]0;title\u0007B\u001B[2JC\rD\u009BE\u001B[8mF\tG\nH'

  it('replaces every control character but line feed and tab when colour is off', () => {
    assert.equal(terminalSafe(hostile, false), 'A\uFFFD]0;title\uFFFDB\uFFFD[2JC\uFFFDD\uFFFDE\uFFFD[8mF\tG\nH')
  })

  it('keeps colour sequences when colour is on, and nothing else', () => {
    assert.equal(terminalSafe('\u001B[31mred\u001B[39m \u001B]8;;x\u0007', true), '\u001B[31mred\u001B[39m \uFFFD]8;;x\uFFFD')
  })

  it('leaves ordinary text, emoji and accents alone', () => {
    assert.equal(terminalSafe('Täällä 🦉 ok', false), 'Täällä 🦉 ok')
  })
})

describe('colorEnabled', () => {
  const terminal = {isTTY: true} as NodeJS.WriteStream
  const pipe = {isTTY: false} as NodeJS.WriteStream

  it('follows --color and --no-color whatever NO_COLOR and FORCE_COLOR say', () => {
    assert.equal(colorEnabled({flag: true, stream: pipe, env: {NO_COLOR: '1'}}), true)
    assert.equal(colorEnabled({flag: false, stream: terminal, env: {FORCE_COLOR: '1'}}), false)
  })

  it('without a flag: off with NO_COLOR, on with FORCE_COLOR, else on a terminal only', () => {
    assert.equal(colorEnabled({stream: terminal, env: {NO_COLOR: '1'}}), false)
    assert.equal(colorEnabled({stream: terminal, env: {NO_COLOR: ''}}), true)
    assert.equal(colorEnabled({stream: pipe, env: {FORCE_COLOR: '1'}}), true)
    assert.equal(colorEnabled({stream: pipe, env: {}}), false)
  })
})
