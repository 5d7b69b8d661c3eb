import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {Flags, Parser} from '@oclif/core'

import {commandFlags, commandLineOnly, type Resolution, withLayerDefaults} from '../../../src/config/index.js'

const definitions = {
  server: Flags.string({required: true, env: 'GRIDSYNC_SERVER'}),
  concurrency: Flags.integer({default: 4, min: 1}),
  header: Flags.string({multiple: true}),
  insecure: Flags.boolean(),
  'client-cert': Flags.string({dependsOn: ['client-key']}),
  'client-key': Flags.string({dependsOn: ['client-cert']}),
}

const resolution: Resolution = {
  values: {
    server: {value: 'https://file', source: {kind: 'config', file: 'gridsync.config.json', key: 'server'}},
    concurrency: {value: 9, source: {kind: 'env', variable: 'GRIDSYNC_CONCURRENCY'}},
    header: {value: ['X-A: 1'], source: {kind: 'dotenv', file: '.env', variable: 'GRIDSYNC_HEADER'}},
    insecure: {value: true, source: {kind: 'config', file: 'gridsync.config.json', key: 'insecure'}},
    'client-key': {value: 'key.pem', source: {kind: 'config', file: 'gridsync.config.json', key: 'client-key'}},
  },
  configFile: {path: 'gridsync.config.json', source: {kind: 'default'}, found: true},
}

describe('commandLineOnly', () => {
  it('yields only what the command line gives: no defaults, nothing required, no rules between flags', async () => {
    const parsed = await Parser.parse(['--client-cert', 'cert.pem', '--header', 'X-B: 2', '--header', 'X-C: 3'], {flags: commandLineOnly(definitions)})
    assert.deepEqual(parsed.flags, {'client-cert': 'cert.pem', header: ['X-B: 2', 'X-C: 3']})
  })

  it('still rejects what the command line gets wrong', async () => {
    await assert.rejects(Parser.parse(['--concurrency', '0'], {flags: commandLineOnly(definitions)}), /greater than or equal to 1/)
  })
})

describe('withLayerDefaults', () => {
  it('makes the layer values the defaults: required and dependent flags are satisfied, the command line still wins', async () => {
    const flags = withLayerDefaults(definitions, resolution)
    const fromLayers = await Parser.parse(['--client-cert', 'cert.pem'], {flags})
    assert.deepEqual(fromLayers.flags, {
      server: 'https://file',
      concurrency: 9,
      header: ['X-A: 1'],
      insecure: true,
      'client-cert': 'cert.pem',
      'client-key': 'key.pem',
    })
    const fromArgv = await Parser.parse(['--server', 'https://flag', '--concurrency', '2', '--header', 'X-B: 2', '--client-cert', 'c', '--client-key', 'k'], {flags})
    assert.equal(fromArgv.flags.server, 'https://flag')
    assert.equal(fromArgv.flags.concurrency, 2)
    assert.deepEqual(fromArgv.flags.header, ['X-B: 2'])
  })

  it("drops the flags' own environment variables, which the resolution has already read", async () => {
    process.env.GRIDSYNC_SERVER = 'https://env-read-by-oclif'
    try {
      const parsed = await Parser.parse(['--client-cert', 'c'], {flags: withLayerDefaults(definitions, resolution)})
      assert.equal(parsed.flags.server, 'https://file')
    } finally {
      delete process.env.GRIDSYNC_SERVER
    }
  })

  it('keeps the original definitions as they were', () => {
    withLayerDefaults(definitions, resolution)
    assert.equal(definitions.concurrency.default, 4)
    assert.equal(definitions.server.env, 'GRIDSYNC_SERVER')
  })
})

describe('commandFlags', () => {
  it("puts a command's own flags first and lets them win over base flags of the same name", () => {
    const own = {b: Flags.string({summary: 'own'}), a: Flags.string()}
    const base = {color: Flags.boolean(), b: Flags.string({summary: 'base'})}
    const merged = commandFlags({flags: own, baseFlags: base})
    assert.deepEqual(Object.keys(merged), ['b', 'a', 'color'])
    assert.equal(merged.b?.summary, 'own')
  })
})
