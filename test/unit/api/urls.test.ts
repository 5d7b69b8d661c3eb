import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {ApiOptionError} from '../../../src/api/errors.js'
import {ServerUrl, under} from '../../../src/api/urls.js'

describe('ServerUrl', () => {
  it('keeps the origin and the path prefix without trailing slashes', () => {
    const plain = new ServerUrl('http://127.0.0.1:5000/')
    assert.equal(plain.base, 'http://127.0.0.1:5000')
    assert.equal(plain.url('/api/maps/'), 'http://127.0.0.1:5000/api/maps/')
    const prefixed = new ServerUrl('https://maps.example/grid//')
    assert.equal(prefixed.basePath, '/grid')
    assert.equal(prefixed.url('/api/maps/'), 'https://maps.example/grid/api/maps/')
  })

  it('refuses URLs it cannot use safely', () => {
    for (const bad of ['not a url', 'ftp://host/', 'http://user:secret@host/', 'http://host/?q=1', 'http://host/#x']) {
      assert.throws(() => new ServerUrl(bad), ApiOptionError, bad)
    }
    assert.throws(
      () => new ServerUrl('http://user:secret@host/'),
      (err: Error) => !err.message.includes('secret'),
    )
  })

  it('suggests the URL meant when the scheme is missing', () => {
    const message = (server: string): string => {
      try {
        new ServerUrl(server)
      } catch (err) {
        assert.ok(err instanceof ApiOptionError)
        return err.message
      }
      assert.fail(`${server} was accepted`)
    }
    assert.match(message('localhost:18181'), /did you mean http:\/\/localhost:18181\?/)
    assert.match(message('127.0.0.1:5000/grid'), /did you mean http:\/\/127\.0\.0\.1:5000\/grid\?/)
    assert.match(message('maps.example.org'), /did you mean https:\/\/maps\.example\.org\?/)
    assert.doesNotMatch(message('localhost:18181'), /localhost:\/\//)
    // With a scheme, or not a host at all: no guess.
    assert.match(message('ftp://host/'), /must start with http:\/\/ or https:\/\/, not ftp:\/\//)
    assert.doesNotMatch(message('not a url'), /did you mean/)
    assert.doesNotMatch(message('/api'), /did you mean/)
  })

  it('owns only URLs on its origin and under its prefix', () => {
    const s = new ServerUrl('http://h:1/grid')
    assert.equal(s.owns('http://h:1/grid/api/maps/'), true)
    assert.equal(s.owns('http://h:1/gridx/api/maps/'), false)
    assert.equal(s.owns('http://h:2/grid/api/maps/'), false)
    assert.equal(s.owns('https://h:1/grid/api/maps/'), false)
    assert.equal(s.owns('http://other:1/grid/api/maps/'), false)
    assert.equal(s.owns('garbage'), false)
  })

  describe('resolveLocation', () => {
    const plain = new ServerUrl('http://h:1')
    const prefixed = new ServerUrl('http://h:1/grid')

    it('resolves a relative Location against the server', () => {
      assert.deepEqual(plain.resolveLocation('/api/maps/a/', 'http://h:1/api/maps/'), {url: 'http://h:1/api/maps/a/'})
      assert.deepEqual(plain.resolveLocation('a/', 'http://h:1/api/maps/'), {url: 'http://h:1/api/maps/a/'})
    })

    it('accepts an absolute Location on the same server', () => {
      assert.deepEqual(plain.resolveLocation('http://h:1/api/maps/a/', 'http://h:1/api/maps/'), {url: 'http://h:1/api/maps/a/'})
    })

    it('puts a Location path the server gave without the prefix under the prefix', () => {
      const req = 'http://h:1/grid/api/maps/'
      assert.deepEqual(prefixed.resolveLocation('/api/maps/a/', req), {url: 'http://h:1/grid/api/maps/a/'})
      assert.deepEqual(prefixed.resolveLocation('/grid/api/maps/a/', req), {url: 'http://h:1/grid/api/maps/a/'})
      assert.deepEqual(prefixed.resolveLocation('http://h:1/api/maps/a/', req), {url: 'http://h:1/grid/api/maps/a/'})
      assert.deepEqual(prefixed.resolveLocation('a/', req), {url: 'http://h:1/grid/api/maps/a/'})
    })

    it('rejects a Location on another server', () => {
      for (const location of ['http://evil:1/api/maps/a/', '//evil/api/maps/a/', 'https://h:1/api/maps/a/']) {
        const r = plain.resolveLocation(location, 'http://h:1/api/maps/')
        assert.ok('problem' in r, location)
        assert.match(r.problem, /another server/)
      }
    })
  })
})

describe('under', () => {
  it('adds segments with trailing slashes', () => {
    assert.equal(under('http://h/api/maps/a/', 'observers', 'b'), 'http://h/api/maps/a/observers/b/')
    assert.equal(under('http://h/api/maps/a', 'obstacles', '1', '2'), 'http://h/api/maps/a/obstacles/1/2/')
  })
})
