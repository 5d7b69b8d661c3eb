import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {describeConnectionFailure} from '../../../src/api/failures.js'

const ctx = {host: 'maps.example', timeoutMs: 30_000}

describe('describeConnectionFailure', () => {
  it('tells the kind of failure and whether the request can have been sent', () => {
    const cases: Array<[string, string, string, RegExp, boolean]> = [
      ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1', 'refused', /connection refused/, true],
      ['ENOTFOUND', 'getaddrinfo ENOTFOUND maps.example', 'dns', /maps\.example cannot be resolved/, true],
      ['EAI_AGAIN', 'getaddrinfo EAI_AGAIN maps.example', 'dns', /temporary DNS failure/, true],
      ['ECONNRESET', 'socket hang up', 'reset', /closed the connection without answering/, false],
      ['ECONNRESET', 'read ECONNRESET', 'reset', /connection was reset/, false],
      ['EPIPE', 'write EPIPE', 'reset', /broke while the request was being sent/, false],
      ['ETIMEDOUT', "Timeout awaiting 'request' for 30000ms", 'timeout', /no answer within 30 s/, false],
      ['CERT_HAS_EXPIRED', 'certificate has expired', 'tls', /certificate has expired/, true],
      ['ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames", 'tls', /does not match the host name maps\.example/, true],
      ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate', 'tls', /self-signed and not trusted/, true],
      ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate', 'tls', /unknown certificate authority/, true],
      ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'alert 116', 'tls', /requires a client certificate/, true],
      ['ERR_SSL_SOMETHING_NEW', 'ssl alert', 'tls', /TLS failure: ssl alert/, true],
      ['EWHATEVER', 'odd failure', 'other', /odd failure \(EWHATEVER\)/, false],
      [
        'EPROTO',
        'write EPROTO 80:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../ssl/record/ssl3_record.c:350:\n',
        'tls',
        /^the TLS handshake failed: the server does not seem to speak TLS on this port$/,
        true,
      ],
    ]
    for (const [code, message, kind, reason, neverSent] of cases) {
      const failure = describeConnectionFailure({code, message}, ctx)
      assert.equal(failure.kind, kind, code)
      assert.match(failure.reason, reason)
      assert.equal(failure.neverSent, neverSent, code)
      assert.equal(failure.systemCode, code)
    }
  })

  it('keeps one line of an unknown multi-line message', () => {
    const failure = describeConnectionFailure({code: 'EPROTO', message: 'write EPROTO odd:x.c:12:\nsecond line'}, ctx)
    assert.equal(failure.reason, 'TLS failure: write EPROTO odd')
  })

  it('keeps the message of a failure without a code', () => {
    assert.deepEqual(describeConnectionFailure({message: 'boom'}, ctx), {
      kind: 'other',
      reason: 'boom',
      systemCode: undefined,
      neverSent: false,
    })
  })
})
