import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {DEFAULT_RETRY_POLICY, backoffDelay, isRetryable, parseRetryAfter, retryDelay, type RetryPolicy} from '../../../src/api/retry.js'

const policy: RetryPolicy = {retries: 3, baseMs: 200, capMs: 10_000, maxRetryAfterMs: 60_000}
const NOW = Date.parse('2030-01-01T00:00:00Z')

describe('isRetryable', () => {
  for (const method of ['GET', 'PUT', 'DELETE']) {
    it(`retries ${method} on 429 and 5xx answers and on connection failures`, () => {
      for (const status of [429, 500, 502, 503, 504]) assert.equal(isRetryable({method, status}), true, `${status}`)
      for (const errorCode of ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']) {
        assert.equal(isRetryable({method, errorCode}), true, errorCode)
      }
    })

    it(`does not retry ${method} on 4xx answers, 501, TLS failures or unknown hosts`, () => {
      for (const status of [400, 404, 405, 409, 415, 501]) assert.equal(isRetryable({method, status}), false, `${status}`)
      for (const errorCode of ['CERT_HAS_EXPIRED', 'ENOTFOUND', 'ERR_GOT_REQUEST_ERROR']) {
        assert.equal(isRetryable({method, errorCode}), false, errorCode)
      }
    })
  }

  it('retries POST only when nothing was written: answers that say so, connections never made', () => {
    for (const status of [429, 500, 503]) assert.equal(isRetryable({method: 'POST', status}), true, `${status}`)
    for (const status of [400, 404, 409, 502, 504]) assert.equal(isRetryable({method: 'POST', status}), false, `${status}`)
    for (const errorCode of ['ECONNREFUSED', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_SOCKET_CLOSED_BEFORE_CONNECTION']) {
      assert.equal(isRetryable({method: 'POST', errorCode}), true, errorCode)
    }
    for (const errorCode of ['ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'CERT_HAS_EXPIRED']) {
      assert.equal(isRetryable({method: 'POST', errorCode}), false, errorCode)
    }
  })
})

describe('backoffDelay', () => {
  it('doubles from the base and stays between half and all of it', () => {
    assert.equal(
      backoffDelay(1, policy, () => 0),
      100,
    )
    assert.equal(
      backoffDelay(1, policy, () => 1),
      200,
    )
    assert.equal(
      backoffDelay(2, policy, () => 0),
      200,
    )
    assert.equal(
      backoffDelay(3, policy, () => 1),
      800,
    )
  })

  it('is capped', () => {
    assert.equal(
      backoffDelay(20, policy, () => 1),
      10_000,
    )
    assert.equal(
      backoffDelay(20, policy, () => 0),
      5_000,
    )
  })
})

describe('parseRetryAfter', () => {
  it('reads seconds', () => {
    assert.equal(parseRetryAfter('5', NOW), 5000)
    assert.equal(parseRetryAfter(' 0 ', NOW), 0)
  })

  it('reads an HTTP date relative to now', () => {
    assert.equal(parseRetryAfter('Tue, 01 Jan 2030 00:00:07 GMT', NOW), 7000)
    assert.equal(parseRetryAfter('Mon, 31 Dec 2029 23:59:00 GMT', NOW), 0)
  })

  it('ignores what is neither', () => {
    for (const value of ['soon', '1.5', '-3', '']) assert.equal(parseRetryAfter(value, NOW), undefined, value)
  })
})

describe('retryDelay', () => {
  const fail = {method: 'GET', attempt: 1, status: 503}

  it('gives up once the retries are used', () => {
    assert.ok(retryDelay(policy, {...fail, attempt: 3}) > 0)
    assert.equal(retryDelay(policy, {...fail, attempt: 4}), 0)
    assert.equal(retryDelay({...policy, retries: 0}, fail), 0)
  })

  it('gives up on what is not retryable', () => {
    assert.equal(retryDelay(policy, {...fail, status: 404}), 0)
    assert.equal(retryDelay(policy, {method: 'POST', attempt: 1, errorCode: 'ECONNRESET'}), 0)
  })

  it('backs off exponentially without Retry-After', () => {
    assert.equal(
      retryDelay(policy, {...fail, attempt: 2}, () => 1),
      400,
    )
  })

  it('honours Retry-After in seconds and as a date', () => {
    assert.equal(
      retryDelay(policy, {...fail, retryAfter: '3'}, () => 1, NOW),
      3000,
    )
    assert.equal(
      retryDelay(policy, {...fail, retryAfter: 'Tue, 01 Jan 2030 00:00:02 GMT'}, () => 1, NOW),
      2000,
    )
    assert.equal(
      retryDelay(policy, {method: 'POST', attempt: 1, status: 429, retryAfter: '4'}, () => 1, NOW),
      4000,
    )
  })

  it('caps Retry-After', () => {
    assert.equal(
      retryDelay(policy, {...fail, retryAfter: '3600'}, () => 1, NOW),
      60_000,
    )
  })

  it('falls back to backoff for an unreadable Retry-After', () => {
    assert.equal(
      retryDelay(policy, {...fail, retryAfter: 'later'}, () => 1, NOW),
      200,
    )
  })

  it('waits at least 1 ms, since 0 means giving up', () => {
    assert.equal(
      retryDelay(policy, {...fail, retryAfter: '0'}, () => 1, NOW),
      1,
    )
    assert.equal(
      retryDelay({...policy, baseMs: 1}, fail, () => 0),
      1,
    )
  })

  it('stays within [1 ms, the larger cap] for any retryable failure', () => {
    fc.assert(
      fc.property(
        fc.integer({min: 1, max: DEFAULT_RETRY_POLICY.retries}),
        fc.constantFrom('GET', 'PUT', 'DELETE', 'POST'),
        fc.constantFrom(429, 500, 503),
        fc.option(fc.integer({min: 0, max: 100_000}).map(String), {nil: undefined}),
        fc.double({min: 0, max: 1, maxExcluded: true, noNaN: true}),
        (attempt, method, status, retryAfter, r) => {
          const delay = retryDelay(DEFAULT_RETRY_POLICY, {method, attempt, status, retryAfter}, () => r, NOW)
          return delay >= 1 && delay <= DEFAULT_RETRY_POLICY.maxRetryAfterMs
        },
      ),
    )
  })
})
