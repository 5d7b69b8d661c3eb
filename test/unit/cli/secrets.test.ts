import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {secretsOf} from '../../../src/cli/secrets.js'
import {REDACTED, Redactor} from '../../../src/log/redact.js'

describe('Redactor', () => {
  it('blanks every occurrence of every secret, the longest first', () => {
    const r = new Redactor(['abcd', 'abcdef-long', undefined])
    assert.equal(r.text('x abcdef-long y abcd z abcd'), `x ${REDACTED} y ${REDACTED} z ${REDACTED}`)
  })

  it('leaves values too short to be secrets alone', () => {
    assert.equal(new Redactor(['1', 'ab', '']).text('a1b2 ab'), 'a1b2 ab')
  })

  it('redacts every string of a JSON value, keys included, and nothing else', () => {
    const r = new Redactor(['s3cret'])
    assert.deepEqual(r.value({a: 's3cret!', s3cret: [1, null, true, {b: 'x s3cret'}]}), {a: `${REDACTED}!`, [REDACTED]: [1, null, true, {b: `x ${REDACTED}`}]})
  })
})

describe('secretsOf', () => {
  it('takes the token, the environment token and the values of header lines', () => {
    assert.deepEqual(secretsOf({token: 'tok-1', header: ['X-Key: value-1', 'X-Other:value-2']}, {GRIDSYNC_TOKEN: 'tok-env'}), ['tok-1', 'tok-env', 'value-1', 'value-2'])
    assert.deepEqual(secretsOf(undefined, {}), [])
  })
})
