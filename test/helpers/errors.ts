import assert from 'node:assert/strict'

/** The error a promise rejects with; fails the test when it resolves. */
export async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise
  } catch (err) {
    assert.ok(err instanceof Error)
    return err
  }

  assert.fail('expected a rejection')
}

/** An Error carrying a system error code, as a socket reports it (for nock's replyWithError). */
export function socketError(code: string, message = code): Error {
  return Object.assign(new Error(message), {code})
}
