import assert from 'node:assert/strict'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {describe, it} from 'node:test'

import {APIDataSource, NetworkError, type RequestEvent} from '../../../src/api/index.js'

/** A loopback port nothing listens on (until the test starts a server there). */
async function closedPort(): Promise<number> {
  const probe = http.createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const {port} = probe.address() as AddressInfo
  await new Promise((resolve) => probe.close(resolve))
  return port
}

// Real refused connections, not nock's: on Node 24.20 and later a refused connection ends
// with a second error (ERR_SOCKET_CLOSED_BEFORE_CONNECTION) that got does not retry on its own.
describe('a refused connection, on a real loopback port', () => {
  it('is retried as often as the policy says, and then named in the error', async () => {
    const port = await closedPort()
    const events: RequestEvent[] = []
    const api = new APIDataSource({server: `http://127.0.0.1:${port}`, retries: 3, retryBaseMs: 1, onRequest: (e) => events.push(e)})
    try {
      const err = await api.listMaps().then(
        () => assert.fail('nothing listens there'),
        (error: unknown) => error,
      )
      assert.ok(err instanceof NetworkError, String(err))
      assert.equal(err.kind, 'refused')
      assert.match(err.message, /\(after 4 attempts\)$/)
      assert.deepEqual(
        events.map((e) => [e.attempt, e.error]),
        [1, 2, 3, 4].map((n) => [n, 'connection refused']),
      )
    } finally {
      api.close()
    }
  })

  it('retries a POST until a server listens there, which then creates the map once', async () => {
    const port = await closedPort()
    let posts = 0
    const server = http.createServer((_req, res) => {
      posts++
      res.writeHead(201, {location: '/api/maps/a/'}).end()
    })
    const events: RequestEvent[] = []
    // The server starts listening once the first attempt was refused.
    const api = new APIDataSource({
      server: `http://127.0.0.1:${port}`,
      retries: 3,
      retryBaseMs: 200,
      onRequest: (e) => {
        events.push(e)
        if (e.attempt === 1) server.listen(port, '127.0.0.1')
      },
    })
    try {
      assert.deepEqual(await api.createMap({name: 'A', width: 1, height: 1}), {url: `http://127.0.0.1:${port}/api/maps/a/`})
      assert.equal(posts, 1)
      assert.equal(events[0]!.error, 'connection refused')
      assert.equal(events.at(-1)!.status, 201)
    } finally {
      api.close()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})
