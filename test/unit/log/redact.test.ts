import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {type LogFormat, Logger, REDACTED, Redactor} from '../../../src/log/index.js'
import {T0} from './fixtures.js'

const TOKEN = 'tok-"quoted"\\-9f8e7d'

describe('Redactor', () => {
  it('replaces every occurrence of a secret in a text', () => {
    const r = new Redactor()
    r.add(TOKEN)
    assert.equal(r.text(`Bearer ${TOKEN} and again ${TOKEN}.`), `Bearer ${REDACTED} and again ${REDACTED}.`)
    assert.equal(r.text('nothing secret'), 'nothing secret')
  })

  it('replaces a short secret only where a whole value equals it', () => {
    const r = new Redactor()
    r.add('1')
    assert.equal(r.text('1'), REDACTED)
    assert.equal(r.text('12 ms'), '12 ms')
  })

  it('replaces a secret that contains another one whole', () => {
    const r = new Redactor()
    r.add('abcd')
    r.add('abcdefgh')
    assert.equal(r.text('x abcdefgh y abcd'), `x ${REDACTED} y ${REDACTED}`)
  })

  it('ignores an empty or missing secret', () => {
    const r = new Redactor()
    r.add('')
    r.add(undefined)
    assert.equal(r.text(''), '')
    assert.equal(r.text('text'), 'text')
  })

  it('redacts every string of a nested value, keys included, without changing the original', () => {
    const r = new Redactor()
    r.add('s3cret')
    const original = {message: 'x s3cret', list: ['s3cret', 1, null, true], nested: {s3cret: 's3cret'}}
    assert.deepEqual(r.value(original), {message: `x ${REDACTED}`, list: [REDACTED, 1, null, true], nested: {[REDACTED]: REDACTED}})
    assert.equal(original.message, 'x s3cret')
  })
})

describe('Logger', () => {
  it('never writes a registered secret, in either format, even where JSON escapes it', () => {
    const r = new Redactor()
    r.add(TOKEN)
    const written: Record<LogFormat, string[]> = {text: [], json: []}
    const logger = new Logger({
      command: 'push',
      redactor: r,
      now: () => T0,
      routes: (['text', 'json'] as const).map((format) => ({format, write: (line: string) => written[format].push(line)})),
    })
    logger.emit({event: 'warning', message: `a header echoed back: Authorization: Bearer ${TOKEN}`})
    logger.emit({event: 'error', message: `refused ${TOKEN}`, exitCode: 7})
    const all = [...written.text, ...written.json].join('\n')
    assert.equal(written.text.length, 2)
    assert.equal(written.json.length, 2)
    assert.ok(!all.includes(TOKEN))
    assert.ok(!all.includes(JSON.stringify(TOKEN).slice(1, -1)))
    assert.ok(!all.includes('9f8e7d'))
    assert.equal(JSON.parse(written.json[1]!).message, `refused ${REDACTED}`)
  })

  it('stamps time, level and command, and writes only to the routes that take the event', () => {
    const all: string[] = []
    const problems: string[] = []
    const logger = new Logger({
      command: 'pull',
      now: () => T0,
      routes: [
        {format: 'json', write: (l) => all.push(l)},
        {format: 'text', write: (l) => problems.push(l), accepts: (e) => e.level !== 'info'},
      ],
    })
    const e = logger.emit({event: 'pull-map', name: 'A', status: 'present', file: 'a.map', backup: null, reason: null})
    logger.emit({event: 'pull-map', name: 'B', status: 'failed', file: null, backup: null, reason: 'disk full'})
    assert.deepEqual({time: e.time, level: e.level, command: e.command}, {time: '2026-11-22T19:00:00.000Z', level: 'info', command: 'pull'})
    assert.equal(all.length, 2)
    assert.deepEqual(problems, ['2026-11-22T19:00:00.000Z pull map "B": failed: disk full'])
  })
})
