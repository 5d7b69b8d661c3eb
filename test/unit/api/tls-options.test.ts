import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import tls from 'node:tls'
import {describe, it} from 'node:test'

import {ApiOptionError} from '../../../src/api/errors.js'
import {tlsAgentOptions} from '../../../src/api/tls.js'

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/tls/${name}`, import.meta.url), 'utf8')

describe('tlsAgentOptions', () => {
  it('leaves the system roots alone without a custom CA', () => {
    assert.deepEqual(tlsAgentOptions({}), {rejectUnauthorized: true})
  })

  it('adds a custom CA to the system roots instead of replacing them', () => {
    const ca = fixture('ca.pem')
    const options = tlsAgentOptions({caCert: ca})
    assert.ok(tls.rootCertificates.length > 0)
    for (const root of tls.rootCertificates) assert.ok(options.ca?.includes(root))
    assert.ok(options.ca?.includes(ca))
    assert.equal(options.ca?.length, tls.rootCertificates.length + 1)
  })

  it('passes the client certificate and key for mutual TLS', () => {
    const options = tlsAgentOptions({clientCert: fixture('client.pem'), clientKey: fixture('client-key.pem')})
    assert.equal(options.cert, fixture('client.pem'))
    assert.equal(options.key, fixture('client-key.pem'))
  })

  it('turns verification off only when asked', () => {
    assert.equal(tlsAgentOptions({insecure: true}).rejectUnauthorized, false)
    assert.equal(tlsAgentOptions({insecure: false}).rejectUnauthorized, true)
  })

  it('rejects a CA file without a readable certificate', () => {
    assert.throws(() => tlsAgentOptions({caCert: 'garbage'}), {name: 'ApiOptionError', message: /no PEM certificate/})
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'
    assert.throws(() => tlsAgentOptions({caCert: fixture('ca.pem') + broken}), {message: /certificate 2 of the CA certificate/})
  })

  it('rejects a certificate without its key, or with the wrong key', () => {
    assert.throws(() => tlsAgentOptions({clientCert: fixture('client.pem')}), ApiOptionError)
    assert.throws(() => tlsAgentOptions({clientKey: fixture('client-key.pem')}), ApiOptionError)
    assert.throws(() => tlsAgentOptions({clientCert: fixture('client.pem'), clientKey: fixture('server-key.pem')}), {
      name: 'ApiOptionError',
      message: /client certificate or key is not usable/,
    })
  })
})
