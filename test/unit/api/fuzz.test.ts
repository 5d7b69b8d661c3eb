import assert from 'node:assert/strict'
import {after, afterEach, before, describe, it} from 'node:test'

import fc from 'fast-check'
import nock from 'nock'

import {APIDataSource, ContractError} from '../../../src/api/index.js'

const S = 'http://gridmap.test:5000'
const MAP = `${S}/api/maps/m/`

before(() => nock.disableNetConnect())
afterEach(() => nock.cleanAll())
after(() => nock.enableNetConnect())

/** JSON that is sometimes nearly right: the real shapes with any value anywhere. */
const nearlyRight = fc.letrec((tie) => ({
  value: fc.oneof(fc.jsonValue(), tie('map'), tie('listing')),
  map: fc.record(
    {
      name: fc.oneof(fc.string(), fc.jsonValue()),
      slug: fc.oneof(fc.constantFrom('m', '.', '..', '', 'a/b'), fc.jsonValue()),
      width: fc.oneof(fc.integer(), fc.double(), fc.jsonValue()),
      height: fc.oneof(fc.nat(), fc.jsonValue()),
      observers: fc.oneof(
        fc.array(fc.record({name: fc.string(), slug: fc.string(), x: fc.integer(), y: fc.integer(), vision: fc.oneof(fc.constant(null), fc.double())})),
        fc.jsonValue(),
      ),
      obstacles: fc.oneof(fc.array(fc.record({x: fc.integer(), y: fc.oneof(fc.integer(), fc.jsonValue())})), fc.jsonValue()),
    },
    {requiredKeys: []},
  ),
  listing: fc.record({maps: fc.oneof(fc.array(tie('map')), fc.jsonValue())}, {requiredKeys: []}),
}))

describe('the client on arbitrary answers (property-based)', () => {
  const api = new APIDataSource({server: S, retries: 0})
  after(() => api.close())

  const reads: Array<[string, string, () => Promise<unknown>]> = [
    ['the listing', '/api/maps/', () => api.listMaps()],
    ['a map', '/api/maps/m/', () => api.getMap(MAP)],
    ['an observer', '/api/maps/m/observers/o/', () => api.getObserver(`${MAP}observers/o/`)],
  ]
  for (const [what, path, read] of reads) {
    it(`reads ${what} or refuses it with a contract error, whatever the body`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            nearlyRight.value.map((v) => JSON.stringify(v) ?? 'null'),
            fc.string(),
            fc.uint8Array({maxLength: 200}).map((b) => Buffer.from(b)),
          ),
          async (body) => {
            nock(S).get(path).reply(200, body)
            try {
              await read()
            } catch (error) {
              assert.ok(error instanceof ContractError, String(error))
              assert.match(error.message, new RegExp(`^the answer to GET ${S}${path} breaks the API contract: \\S`))
              assert.ok(!error.message.includes('\n'), 'one line')
            }
          },
        ),
        {numRuns: 200},
      )
    })
  }
})
