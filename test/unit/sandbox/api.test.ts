import assert from 'node:assert/strict'
import {Agent, request} from 'node:http'
import type {Socket} from 'node:net'
import {describe, it} from 'node:test'

import {useSandbox, withSandbox} from '../../helpers/sandbox.js'
import {type Answer, call} from './http.js'

const FANCY = {name: 'Fancy Map', width: 12, height: 6}
const HTML = 'text/html; charset=utf-8'

function assertEmpty(answer: Answer, status: 201 | 204): void {
  assert.equal(answer.status, status)
  assert.equal(answer.text, '')
  assert.equal(answer.headers.get('content-type'), HTML)
}

function assertMessage(answer: Answer, status: number, pattern?: RegExp): void {
  assert.equal(answer.status, status, answer.text)
  assert.equal(answer.headers.get('content-type'), 'application/json')
  const doc = answer.json()
  assert.deepEqual(Object.keys(doc), ['message'])
  assert.equal(typeof doc.message, 'string')
  if (pattern) assert.match(doc.message, pattern)
}

function assertNotFound(answer: Answer): void {
  assert.equal(answer.status, 404)
  assert.equal(answer.headers.get('content-type'), HTML)
  assert.match(answer.text, /^<!doctype html>/)
}

describe('sandbox resources', () => {
  const sandbox = useSandbox()

  it('lists maps without contents, in creation order', async () => {
    assert.deepEqual((await call(sandbox(), 'GET', '/api/maps/')).json(), {maps: []})
    sandbox().seed([
      {...FANCY, obstacles: [{x: 1, y: 1}]},
      {name: 'Ääkkönen', width: 3, height: 2},
    ])
    const answer = await call(sandbox(), 'GET', '/api/maps/')
    assert.equal(answer.status, 200)
    assert.equal(answer.headers.get('content-type'), 'application/json')
    assert.deepEqual(answer.json(), {
      maps: [
        {name: 'Fancy Map', slug: 'fancy-map', width: 12, height: 6},
        {name: 'Ääkkönen', slug: 'aakkonen', width: 3, height: 2},
      ],
    })
  })

  it('creates a map: 201, empty text/html body, relative Location', async () => {
    const answer = await call(sandbox(), 'POST', '/api/maps/', {name: 'Fancy Map!!', width: 12, height: 6})
    assertEmpty(answer, 201)
    assert.equal(answer.headers.get('location'), '/api/maps/fancy-map/')
    assert.deepEqual(sandbox().snapshot(), [{name: 'Fancy Map!!', slug: 'fancy-map', width: 12, height: 6, observers: [], obstacles: []}])
  })

  it('reads a map with observers and obstacles, vision written as a float', async () => {
    sandbox().seed([
      {
        ...FANCY,
        observers: [
          {name: 'Fancy Observer A', x: 1, y: 1, vision: 6},
          {name: 'Blind Spot', x: 2, y: 3},
        ],
        obstacles: [{x: 5, y: 1}],
      },
    ])
    const answer = await call(sandbox(), 'GET', '/api/maps/fancy-map/')
    assert.equal(answer.status, 200)
    assert.equal(answer.headers.get('content-type'), 'application/json')
    assert.match(answer.text, /"vision": 6\.0,/)
    assert.deepEqual(answer.json(), {
      name: 'Fancy Map',
      slug: 'fancy-map',
      width: 12,
      height: 6,
      observers: [
        {name: 'Fancy Observer A', slug: 'fancy-observer-a', vision: 6, x: 1, y: 1},
        {name: 'Blind Spot', slug: 'blind-spot', vision: null, x: 2, y: 3},
      ],
      obstacles: [{x: 5, y: 1}],
    })
    assert.deepEqual(Object.keys(answer.json().observers[0]), ['name', 'slug', 'vision', 'x', 'y'])
  })

  it('escapes non-ASCII characters in JSON, which parses back to the same name', async () => {
    sandbox().seed([{name: 'Täällä 🗺', width: 1, height: 1}])
    const answer = await call(sandbox(), 'GET', '/api/maps/taalla/')
    assert.match(answer.text, /"T\\u00e4\\u00e4ll\\u00e4 \\ud83d\\uddfa"/)
    assert.equal(answer.json().name, 'Täällä 🗺')
  })

  it('updates a map with PUT: 204, empty body, no Location; all three fields required', async () => {
    sandbox().seed([FANCY])
    const answer = await call(sandbox(), 'PUT', '/api/maps/fancy-map/', {name: 'Fancy Map', width: 20, height: 7})
    assertEmpty(answer, 204)
    assert.equal(answer.headers.get('location'), null)
    assert.equal(sandbox().snapshot()[0]!.width, 20)
    assertMessage(await call(sandbox(), 'PUT', '/api/maps/fancy-map/', {name: 'Fancy Map', width: 20}), 400, /height/)
    assert.equal(sandbox().snapshot()[0]!.height, 7)
  })

  it('deletes a map with its observers and obstacles', async () => {
    sandbox().seed([
      {...FANCY, observers: [{name: 'Watcher', x: 0, y: 0}], obstacles: [{x: 1, y: 1}]},
      {name: 'Other', width: 2, height: 2},
    ])
    assertEmpty(await call(sandbox(), 'DELETE', '/api/maps/fancy-map/'), 204)
    assertNotFound(await call(sandbox(), 'GET', '/api/maps/fancy-map/'))
    assertNotFound(await call(sandbox(), 'GET', '/api/maps/other/observers/watcher/'))
    assert.deepEqual(
      sandbox()
        .snapshot()
        .map((m) => m.slug),
      ['other'],
    )
    // The observer's name is free again.
    assertEmpty(await call(sandbox(), 'POST', '/api/maps/other/observers/', {name: 'Watcher', x: 1, y: 1}), 201)
  })

  it('creates, reads, updates and deletes an observer', async () => {
    sandbox().seed([FANCY])
    const created = await call(sandbox(), 'POST', '/api/maps/fancy-map/observers/', {name: 'Fancy Observer A', x: 1, y: 1, vision: 6})
    assertEmpty(created, 201)
    assert.equal(created.headers.get('location'), '/api/maps/fancy-map/observers/fancy-observer-a/')

    const read = await call(sandbox(), 'GET', '/api/maps/fancy-map/observers/fancy-observer-a/')
    assert.equal(read.status, 200)
    assert.equal(read.headers.get('content-type'), 'application/json')
    assert.match(read.text, /"vision": 6\.0,/)
    assert.deepEqual(read.json(), {
      name: 'Fancy Observer A',
      slug: 'fancy-observer-a',
      vision: 6,
      x: 1,
      y: 1,
      map_name: 'Fancy Map',
      map_slug: 'fancy-map',
    })

    const moved = await call(sandbox(), 'PUT', '/api/maps/fancy-map/observers/fancy-observer-a/', {name: 'Fancy Observer A', x: 11, y: 5, vision: 2.5})
    assertEmpty(moved, 204)
    assert.equal(moved.headers.get('location'), null)
    assert.deepEqual(sandbox().snapshot()[0]!.observers, [{name: 'Fancy Observer A', slug: 'fancy-observer-a', x: 11, y: 5, vision: 2.5}])

    assertEmpty(await call(sandbox(), 'DELETE', '/api/maps/fancy-map/observers/fancy-observer-a/'), 204)
    assertNotFound(await call(sandbox(), 'GET', '/api/maps/fancy-map/observers/fancy-observer-a/'))
    assert.deepEqual(sandbox().snapshot()[0]!.observers, [])
  })

  it('renames an observer: the slug follows the name', async () => {
    sandbox().seed([{...FANCY, observers: [{name: 'Old Name', x: 0, y: 0}]}])
    assertEmpty(await call(sandbox(), 'PUT', '/api/maps/fancy-map/observers/old-name/', {name: 'New Name', x: 0, y: 0}), 204)
    assertNotFound(await call(sandbox(), 'GET', '/api/maps/fancy-map/observers/old-name/'))
    assert.equal((await call(sandbox(), 'GET', '/api/maps/fancy-map/observers/new-name/')).json().name, 'New Name')
  })

  it('creates and deletes obstacles; the same position twice makes two rows', async () => {
    sandbox().seed([FANCY])
    const first = await call(sandbox(), 'POST', '/api/maps/fancy-map/obstacles/', {x: 3, y: 2})
    assertEmpty(first, 201)
    assert.equal(first.headers.get('location'), '/api/maps/fancy-map/obstacles/3/2/')
    assertEmpty(await call(sandbox(), 'POST', '/api/maps/fancy-map/obstacles/', {x: 3, y: 2}), 201)
    assert.deepEqual((await call(sandbox(), 'GET', '/api/maps/fancy-map/')).json().obstacles, [
      {x: 3, y: 2},
      {x: 3, y: 2},
    ])
    assertEmpty(await call(sandbox(), 'DELETE', '/api/maps/fancy-map/obstacles/3/2/'), 204)
    assert.deepEqual(sandbox().snapshot()[0]!.obstacles, [{x: 3, y: 2}])
    assertEmpty(await call(sandbox(), 'DELETE', '/api/maps/fancy-map/obstacles/3/2/'), 204)
    assert.deepEqual(sandbox().snapshot()[0]!.obstacles, [])
    assertNotFound(await call(sandbox(), 'DELETE', '/api/maps/fancy-map/obstacles/3/2/'))
  })

  it('serves the OpenAPI document with version 1.0.0 and servers /api', async () => {
    const answer = await call(sandbox(), 'GET', '/apispec_1.json')
    assert.equal(answer.status, 200)
    const spec = answer.json()
    assert.match(spec.openapi, /^3\.0\./)
    assert.equal(spec.info.version, '1.0.0')
    assert.deepEqual(spec.servers, [{url: '/api'}])
    assert.deepEqual(Object.keys(spec.paths), [
      '/api/maps/',
      '/api/maps/{map}/',
      '/api/maps/{map}/observers/',
      '/api/maps/{map}/observers/{observer}/',
      '/api/maps/{map}/obstacles/',
      '/api/maps/{map}/obstacles/{x}/{y}/',
    ])
    assert.deepEqual(Object.keys(spec.paths['/api/maps/{map}/obstacles/{x}/{y}/']), ['parameters', 'delete'])
  })

  it('answers HEAD like GET without a body, and OPTIONS with the allowed methods', async () => {
    sandbox().seed([FANCY])
    const head = await call(sandbox(), 'HEAD', '/api/maps/fancy-map/')
    assert.equal(head.status, 200)
    assert.equal(head.text, '')
    const options = await call(sandbox(), 'OPTIONS', '/api/maps/fancy-map/obstacles/')
    assert.equal(options.status, 200)
    assert.equal(options.headers.get('allow'), 'POST, OPTIONS')
  })

  it('keeps connections alive unless asked otherwise', async () => {
    const answer = await call(sandbox(), 'GET', '/api/maps/')
    assert.equal(answer.headers.get('connection'), 'keep-alive')
  })
})

describe('sandbox errors', () => {
  const sandbox = useSandbox({seed: [FANCY]})

  it('answers 404 with an HTML page for unknown maps, observers, obstacles and paths', async () => {
    for (const [method, path] of [
      ['GET', '/api/maps/no-such-map/'],
      ['PUT', '/api/maps/no-such-map/'],
      ['DELETE', '/api/maps/no-such-map/'],
      ['POST', '/api/maps/no-such-map/observers/'],
      ['GET', '/api/maps/fancy-map/observers/nobody/'],
      ['DELETE', '/api/maps/fancy-map/obstacles/1/1/'],
      ['DELETE', '/api/maps/fancy-map/obstacles/-1/1/'],
      ['GET', '/'],
      ['GET', '/api/maps/fancy-map/unknown/'],
    ] as const) {
      const answer = await call(sandbox(), method, path, method === 'POST' || method === 'PUT' ? {name: 'X', x: 0, y: 0} : undefined)
      assertNotFound(answer)
    }
  })

  it('answers 405 with Allow for methods a route does not have', async () => {
    sandbox().seed([{name: 'Guarded', width: 2, height: 2, observers: [{name: 'Watcher', x: 0, y: 0}], obstacles: [{x: 1, y: 1}]}])
    for (const [method, path, allow] of [
      ['PATCH', '/api/maps/guarded/', 'GET, PUT, DELETE, HEAD, OPTIONS'],
      ['DELETE', '/api/maps/', 'GET, POST, HEAD, OPTIONS'],
      ['GET', '/api/maps/guarded/observers/', 'POST, OPTIONS'],
      ['GET', '/api/maps/guarded/obstacles/', 'POST, OPTIONS'],
      ['GET', '/api/maps/guarded/obstacles/1/1/', 'DELETE, OPTIONS'],
      ['POST', '/api/maps/guarded/observers/watcher/', 'GET, PUT, DELETE, HEAD, OPTIONS'],
    ] as const) {
      const answer = await call(sandbox(), method, path)
      assertMessage(answer, 405)
      assert.equal(answer.headers.get('allow'), allow, `${method} ${path}`)
    }
  })

  it('answers 415 for {}, [] and null bodies and for a body not sent as JSON', async () => {
    for (const body of [{}, [], null]) {
      assertMessage(await call(sandbox(), 'POST', '/api/maps/', JSON.stringify(body), {'Content-Type': 'application/json'}), 415)
      assertMessage(await call(sandbox(), 'PUT', '/api/maps/fancy-map/', JSON.stringify(body), {'Content-Type': 'application/json'}), 415)
    }
    assertMessage(await call(sandbox(), 'POST', '/api/maps/', JSON.stringify({name: 'A', width: 1, height: 1}), {'Content-Type': 'text/plain'}), 415)
    assertMessage(await call(sandbox(), 'POST', '/api/maps/'), 415)
    assert.equal(sandbox().snapshot().length, 1)
  })

  it('answers 400 for a body that is not JSON, or not an object', async () => {
    assertMessage(await call(sandbox(), 'POST', '/api/maps/', '{"name": ', {'Content-Type': 'application/json'}), 400, /not valid JSON/)
    assertMessage(await call(sandbox(), 'POST', '/api/maps/', '[1]', {'Content-Type': 'application/json'}), 400, /object/)
    assert.equal(sandbox().snapshot().length, 1)
  })

  it('redirects with 308 to the slashed URL when the trailing slash is missing, creating nothing', async () => {
    const answer = await call(sandbox(), 'POST', '/api/maps', {name: 'New', width: 1, height: 1})
    assert.equal(answer.status, 308)
    assert.equal(answer.headers.get('location'), `${sandbox().url}/api/maps/`)
    const withQuery = await call(sandbox(), 'POST', '/api/maps/fancy-map/obstacles?x=1', {x: 1, y: 1})
    assert.equal(withQuery.status, 308)
    assert.equal(withQuery.headers.get('location'), `${sandbox().url}/api/maps/fancy-map/obstacles/?x=1`)
    assert.equal((await call(sandbox(), 'PUT', '/api/maps/fancy-map', {name: 'Renamed', width: 1, height: 1})).status, 308)
    assert.deepEqual(sandbox().snapshot(), [{...FANCY, slug: 'fancy-map', observers: [], obstacles: []}])
    assert.equal(sandbox().stats.byRoute['POST /api/maps'], 1)
  })

  it('answers 409 when a map name gives a slug already taken', async () => {
    assertMessage(await call(sandbox(), 'POST', '/api/maps/', {name: 'fancy  MAP!', width: 1, height: 1}), 409, /fancy-map/)
    sandbox().seed([{name: 'Second', width: 2, height: 2}])
    assertMessage(await call(sandbox(), 'PUT', '/api/maps/second/', {name: 'Fancy-Map', width: 2, height: 2}), 409)
    // A map may keep its own slug under a differently written name.
    assertEmpty(await call(sandbox(), 'PUT', '/api/maps/fancy-map/', {name: 'FANCY MAP', width: 12, height: 6}), 204)
    assert.deepEqual(
      sandbox()
        .snapshot()
        .map((m) => m.name),
      ['FANCY MAP', 'Second'],
    )
  })

  it('answers 409 for an observer name taken on any map', async () => {
    sandbox().seed([
      {
        name: 'Second',
        width: 2,
        height: 2,
        observers: [
          {name: 'Watcher', x: 0, y: 0},
          {name: 'Guard', x: 1, y: 1},
        ],
      },
    ])
    assertMessage(await call(sandbox(), 'POST', '/api/maps/fancy-map/observers/', {name: 'WATCHER', x: 0, y: 0}), 409, /Watcher/)
    assertMessage(await call(sandbox(), 'PUT', '/api/maps/second/observers/guard/', {name: 'watcher', x: 1, y: 1}), 409)
    assert.deepEqual(sandbox().snapshot()[0]!.observers, [])
  })

  it('answers 400 "... is outside map" for positions outside the map', async () => {
    sandbox().seed([{name: 'Second', width: 2, height: 2, observers: [{name: 'Watcher', x: 0, y: 0}]}])
    for (const [path, body] of [
      ['/api/maps/fancy-map/observers/', {name: 'A', x: 12, y: 0}],
      ['/api/maps/fancy-map/observers/', {name: 'A', x: 0, y: 6}],
      ['/api/maps/fancy-map/observers/', {name: 'A', x: -1, y: 0}],
      ['/api/maps/fancy-map/obstacles/', {x: 0, y: 6}],
      ['/api/maps/fancy-map/obstacles/', {x: 12, y: 5}],
    ] as const) {
      assertMessage(await call(sandbox(), 'POST', path, body), 400, /is outside map/)
    }
    // A PUT is checked against the observer's own map.
    assertMessage(await call(sandbox(), 'PUT', '/api/maps/second/observers/watcher/', {name: 'Watcher', x: 2, y: 0}), 400, /is outside map/)
    assertEmpty(await call(sandbox(), 'POST', '/api/maps/fancy-map/observers/', {name: 'A', x: 11, y: 5}), 201)
    assertEmpty(await call(sandbox(), 'POST', '/api/maps/fancy-map/obstacles/', {x: 11, y: 5}), 201)
  })

  it('answers 400 for names over 32 code points, empty names and wrong types', async () => {
    const ok32 = '🗺'.repeat(32)
    assertEmpty(await call(sandbox(), 'POST', '/api/maps/', {name: ok32, width: 1, height: 1}), 201)
    for (const body of [
      {name: 'x'.repeat(33), width: 1, height: 1},
      {name: '', width: 1, height: 1},
      {name: 7, width: 1, height: 1},
      {width: 1, height: 1},
      {name: 'A', width: 0, height: 1},
      {name: 'A', width: '5', height: 1},
      {name: 'A', width: 1.5, height: 1},
      {name: 'A', width: 1, height: true},
    ]) {
      assertMessage(await call(sandbox(), 'POST', '/api/maps/', body), 400)
    }
    for (const body of [
      {name: 'A', x: 0},
      {name: 'A', x: 0.5, y: 0},
      {name: ['A'], x: 0, y: 0},
    ]) {
      assertMessage(await call(sandbox(), 'POST', '/api/maps/fancy-map/observers/', body), 400)
    }
    assertMessage(await call(sandbox(), 'POST', '/api/maps/fancy-map/obstacles/', {x: '1', y: 1}), 400)
    assert.equal(sandbox().snapshot().length, 2)
  })

  it('treats vision as optional and non-negative; null is refused; a PUT without it clears it', async () => {
    const post = (body: object): Promise<Answer> => call(sandbox(), 'POST', '/api/maps/fancy-map/observers/', body)
    assertMessage(await post({name: 'A', x: 0, y: 0, vision: null}), 400, /vision/)
    assertMessage(await post({name: 'A', x: 0, y: 0, vision: -1}), 400, /vision/)
    assertMessage(await post({name: 'A', x: 0, y: 0, vision: '6'}), 400, /vision/)
    assertEmpty(await post({name: 'A', x: 0, y: 0, vision: 0}), 201)
    assertEmpty(await post({name: 'B', x: 0, y: 0, vision: 2.5}), 201)
    assertEmpty(await post({name: 'C', x: 0, y: 0}), 201)
    const map = await call(sandbox(), 'GET', '/api/maps/fancy-map/')
    assert.match(map.text, /"vision": 0\.0,.*"vision": 2\.5,.*"vision": null,/)
    assertMessage(await call(sandbox(), 'PUT', '/api/maps/fancy-map/observers/a/', {name: 'A', x: 0, y: 0, vision: null}), 400)
    assertEmpty(await call(sandbox(), 'PUT', '/api/maps/fancy-map/observers/b/', {name: 'B', x: 0, y: 0}), 204)
    assert.deepEqual(
      sandbox()
        .snapshot()[0]!
        .observers.map((o) => o.vision),
      [0, null, null],
    )
  })
})

describe('sandbox data rules', () => {
  const sandbox = useSandbox()

  it('renames a map: the slug changes and the old URL answers 404', async () => {
    sandbox().seed([FANCY, {name: 'Later', width: 1, height: 1}])
    assertEmpty(await call(sandbox(), 'PUT', '/api/maps/fancy-map/', {name: 'Plain Map', width: 12, height: 6}), 204)
    assertNotFound(await call(sandbox(), 'GET', '/api/maps/fancy-map/'))
    assert.equal((await call(sandbox(), 'GET', '/api/maps/plain-map/')).json().name, 'Plain Map')
    // Still listed first: the listing is in creation order.
    assert.deepEqual(
      (await call(sandbox(), 'GET', '/api/maps/')).json().maps.map((m: {slug: string}) => m.slug),
      ['plain-map', 'later'],
    )
  })

  it('does not check a shrink against the contents, but new positions against the new size', async () => {
    sandbox().seed([{name: 'Big', width: 10, height: 10, observers: [{name: 'Far', x: 9, y: 9}], obstacles: [{x: 8, y: 8}]}])
    assertEmpty(await call(sandbox(), 'PUT', '/api/maps/big/', {name: 'Big', width: 5, height: 5}), 204)
    const map = (await call(sandbox(), 'GET', '/api/maps/big/')).json()
    assert.deepEqual([map.width, map.height, map.observers[0].x, map.obstacles[0].x], [5, 5, 9, 8])
    assertMessage(await call(sandbox(), 'POST', '/api/maps/big/obstacles/', {x: 8, y: 8}), 400, /is outside map/)
    // What lies outside can still be deleted.
    assertEmpty(await call(sandbox(), 'DELETE', '/api/maps/big/obstacles/8/8/'), 204)
    assertEmpty(await call(sandbox(), 'DELETE', '/api/maps/big/observers/far/'), 204)
  })

  it('finds an observer by its slug alone, whatever existing map the URL names', async () => {
    sandbox().seed([
      {name: 'Home', width: 3, height: 3, observers: [{name: 'Roamer', x: 1, y: 1}]},
      {name: 'Elsewhere', width: 1, height: 1},
    ])
    const read = await call(sandbox(), 'GET', '/api/maps/elsewhere/observers/roamer/')
    assert.equal(read.status, 200)
    assert.equal(read.json().map_slug, 'home')
    assertNotFound(await call(sandbox(), 'GET', '/api/maps/no-such-map/observers/roamer/'))
    assertEmpty(await call(sandbox(), 'PUT', '/api/maps/elsewhere/observers/roamer/', {name: 'Roamer', x: 2, y: 2}), 204)
    assert.deepEqual(sandbox().snapshot()[0]!.observers[0], {name: 'Roamer', slug: 'roamer', x: 2, y: 2, vision: null})
    assertEmpty(await call(sandbox(), 'DELETE', '/api/maps/elsewhere/observers/roamer/'), 204)
    assert.deepEqual(sandbox().snapshot()[0]!.observers, [])
  })

  it('accepts a name with no letter or digit under the empty slug, which no URL reaches', async () => {
    const created = await call(sandbox(), 'POST', '/api/maps/', {name: '!!!', width: 1, height: 1})
    assertEmpty(created, 201)
    assert.equal(created.headers.get('location'), '/api/maps//')
    const read = await call(sandbox(), 'GET', '/api/maps//')
    assert.equal(read.status, 308)
    assert.equal(read.headers.get('location'), `${sandbox().url}/api/maps/`)
    assertMessage(await call(sandbox(), 'POST', '/api/maps/', {name: '???', width: 1, height: 1}), 409)
    assert.deepEqual((await call(sandbox(), 'GET', '/api/maps/')).json().maps, [{name: '!!!', slug: '', width: 1, height: 1}])
  })

  it('answers Mason hypermedia when asked, plain JSON otherwise', async () => {
    sandbox().seed([{...FANCY, observers: [{name: 'Watcher', x: 0, y: 0, vision: 3}], obstacles: [{x: 2, y: 1}]}])
    const mason = {Accept: 'application/vnd.mason+json'}

    const list = await call(sandbox(), 'GET', '/api/maps/', undefined, mason)
    assert.equal(list.headers.get('content-type'), 'application/vnd.mason+json')
    const listDoc = list.json()
    assert.equal(listDoc['@controls'].self.href, '/api/maps/')
    assert.deepEqual([listDoc['@controls']['gridmap:add-map'].method, listDoc['@controls']['gridmap:add-map'].href], ['POST', '/api/maps/'])
    assert.equal(listDoc.maps[0]['@controls'].self.href, '/api/maps/fancy-map/')

    const map = (await call(sandbox(), 'GET', '/api/maps/fancy-map/', undefined, mason)).json()
    assert.equal(map.name, 'Fancy Map')
    assert.equal(map['@controls'].edit.method, 'PUT')
    assert.equal(map['@controls']['gridmap:add-obstacle'].href, '/api/maps/fancy-map/obstacles/')
    assert.equal(map.observers[0]['@controls'].self.href, '/api/maps/fancy-map/observers/watcher/')
    assert.deepEqual(map.obstacles[0]['@controls']['gridmap:delete'], {
      method: 'DELETE',
      href: '/api/maps/fancy-map/obstacles/2/1/',
      title: 'Delete this obstacle',
    })

    const observer = (await call(sandbox(), 'GET', '/api/maps/fancy-map/observers/watcher/', undefined, mason)).json()
    assert.equal(observer['@controls'].up.href, '/api/maps/fancy-map/')
    assert.equal(observer.vision, 3)

    const plain = (await call(sandbox(), 'GET', '/api/maps/fancy-map/')).json()
    assert.equal(plain['@controls'], undefined)
    assert.equal(plain.observers[0]['@controls'], undefined)
  })

  it('counts requests per method and route pattern', async () => {
    sandbox().seed([FANCY])
    await call(sandbox(), 'POST', '/api/maps/fancy-map/obstacles/', {x: 1, y: 1})
    await call(sandbox(), 'POST', '/api/maps/fancy-map/obstacles/', {x: 2, y: 1})
    await call(sandbox(), 'GET', '/api/maps/fancy-map/')
    await call(sandbox(), 'GET', '/nowhere')
    assert.deepEqual(sandbox().stats, {
      total: 4,
      byRoute: {'POST /api/maps/<map>/obstacles/': 2, 'GET /api/maps/<map>/': 1, 'GET *': 1},
      succeeded: {'POST /api/maps/<map>/obstacles/': 2},
      faults: {},
    })
    sandbox().resetStats()
    assert.deepEqual(sandbox().stats, {total: 0, byRoute: {}, succeeded: {}, faults: {}})
  })

  it('refuses seeds whose slugs conflict', () => {
    assert.throws(() => sandbox().seed([FANCY, {name: 'fancy map', width: 1, height: 1}]), /fancy-map/)
  })
})

describe('sandbox options', () => {
  it('announces the API version it is given', async () => {
    await withSandbox({apiVersion: '2.1.0'}, async (sandbox) => {
      assert.equal((await call(sandbox, 'GET', '/apispec_1.json')).json().info.version, '2.1.0')
    })
  })

  it('sends Connection: close on every answer when asked', async () => {
    await withSandbox({connectionClose: true, seed: [FANCY]}, async (sandbox) => {
      for (const [method, path, body] of [
        ['GET', '/api/maps/', undefined],
        ['POST', '/api/maps/fancy-map/obstacles/', {x: 1, y: 1}],
        ['GET', '/api/maps/nowhere/', undefined],
        ['PATCH', '/api/maps/', undefined],
      ] as const) {
        assert.equal((await call(sandbox, method, path, body)).headers.get('connection'), 'close', `${method} ${path}`)
      }
    })
  })

  it('closes idle keep-alive connections when it closes', async () => {
    await withSandbox({}, async (sandbox) => {
      const agent = new Agent({keepAlive: true})
      const socket = await new Promise<Socket>((resolve, reject) => {
        const req = request(`${sandbox.url}/api/maps/`, {agent}, (res) => {
          const {socket} = res
          res.resume()
          res.on('end', () => resolve(socket))
        })
        req.on('error', reject)
        req.end()
      })
      assert.equal(socket.destroyed, false)
      // The agent unrefs its idle sockets; keep this one counted until it closes.
      socket.ref()
      const closed = new Promise((resolve) => socket.once('close', resolve))
      await sandbox.close()
      await closed
      assert.equal(socket.destroyed, true)
      agent.destroy()
    })
  })
})
