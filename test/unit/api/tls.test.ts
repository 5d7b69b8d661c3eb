import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import type {AddressInfo} from 'node:net'
import {after, describe, it} from 'node:test'

import {APIDataSource, NetworkError, type APIDataSourceOptions} from '../../../src/api/index.js'

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/tls/${name}`, import.meta.url), 'utf8')
const CA = fixture('ca.pem')

const servers: http.Server[] = []
after(async () => {
  for (const server of servers) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

/** An HTTPS server on 127.0.0.1 answering the API spec, with the named certificate. */
async function serve(cert: string, tls: https.ServerOptions = {}): Promise<string> {
  const server = https.createServer({cert: fixture(`${cert}.pem`), key: fixture(`${cert}-key.pem`), ...tls}, (req, res) => {
    res.writeHead(200, {'content-type': 'application/json'})
    res.end(JSON.stringify({info: {version: '1.0.0'}}))
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function version(options: APIDataSourceOptions): Promise<string> {
  const api = new APIDataSource({retries: 0, timeoutSeconds: 10, ...options})
  try {
    return await api.apiVersion()
  } finally {
    api.close()
  }
}

async function tlsFailure(options: APIDataSourceOptions): Promise<NetworkError> {
  try {
    await version(options)
  } catch (err) {
    assert.ok(err instanceof NetworkError, String(err))
    assert.equal(err.exitCode, 6)
    assert.match(err.message, new RegExp(`^GET ${options.server}/apispec_1\\.json failed: `))
    return err
  }
  assert.fail('expected a TLS failure')
}

describe('TLS', async () => {
  const trusted = await serve('server')

  it('trusts a server signed by the custom CA', async () => {
    assert.equal(await version({server: trusted, caCert: CA}), '1.0.0')
  })

  it('does not trust it without the CA, saying so', async () => {
    const err = await tlsFailure({server: trusted})
    assert.equal(err.kind, 'tls')
    assert.match(err.message, /certificate is not trusted: it is signed by an unknown certificate authority/)
  })

  it('rejects an expired certificate, saying it expired', async () => {
    const err = await tlsFailure({server: await serve('expired'), caCert: CA})
    assert.equal(err.systemCode, 'CERT_HAS_EXPIRED')
    assert.match(err.message, /certificate has expired/)
  })

  it('rejects a certificate for another host, saying the name does not match', async () => {
    const err = await tlsFailure({server: await serve('wrong-host'), caCert: CA})
    assert.match(err.message, /certificate does not match the host name 127\.0\.0\.1/)
  })

  it('rejects a self-signed certificate, saying it is self-signed', async () => {
    const err = await tlsFailure({server: await serve('self-signed'), caCert: CA})
    assert.match(err.message, /self-signed and not trusted/)
  })

  it('accepts any certificate when insecure', async () => {
    assert.equal(await version({server: await serve('self-signed'), insecure: true}), '1.0.0')
  })

  it('says when the server does not speak TLS at all', async () => {
    const plain = http.createServer((_req, res) => res.end('{}'))
    servers.push(plain)
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve))
    const err = await tlsFailure({server: `https://127.0.0.1:${(plain.address() as AddressInfo).port}`})
    assert.match(err.message, /does not seem to speak TLS on this port$/)
  })

  describe('mutual TLS', async () => {
    const mutual = await serve('server', {ca: CA, requestCert: true, rejectUnauthorized: true})

    it('works with the client certificate', async () => {
      const client = {caCert: CA, clientCert: fixture('client.pem'), clientKey: fixture('client-key.pem')}
      assert.equal(await version({server: mutual, ...client}), '1.0.0')
    })

    it('fails without it', async () => {
      const err = await tlsFailure({server: mutual, caCert: CA})
      // TLS 1.3 rejects the client after the handshake: the alert usually arrives, but the
      // connection can also be torn down before it is read.
      assert.match(err.message, /requires a client certificate|closed the connection without answering|connection was reset/)
    })
  })
})
