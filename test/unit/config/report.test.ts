import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {Chalk} from 'chalk'

import {configDocument, type Configuration, describeConfiguration, renderConfiguration, type Resolution} from '../../../src/config/index.js'

const SECRET_TOKEN = 'tok-0123456789'
const SECRET_HEADER = 'hdr-9876543210'

const resolution: Resolution = {
  values: {
    server: {value: 'https://maps.example.org', source: {kind: 'config', file: 'gridsync.config.json', key: 'server'}},
    token: {value: SECRET_TOKEN, source: {kind: 'dotenv', file: '.env', variable: 'GRIDSYNC_TOKEN'}},
    timeout: {value: 12, source: {kind: 'env', variable: 'GRIDSYNC_TIMEOUT'}},
  },
  dotenv: '.env',
  configFile: {path: 'gridsync.config.json', source: {kind: 'default'}, found: true},
}

const names = ['server', 'timeout', 'token', 'header', 'concurrency', 'insecure', 'prune', 'only', 'config', 'color']
const flags = {
  server: 'https://maps.example.org',
  timeout: 12,
  token: SECRET_TOKEN,
  header: [`X-Api-Key: ${SECRET_HEADER}`, 'no-colon-here'],
  concurrency: 8,
  prune: false,
  config: undefined,
}

function configuration(): Configuration {
  return describeConfiguration(names, {header: flags.header, concurrency: 8, prune: false}, resolution, flags)
}

describe('describeConfiguration', () => {
  it('lists every setting (not the command-line-only flags or --config) with its value and source', () => {
    assert.deepEqual(configuration().settings, [
      {name: 'server', value: 'https://maps.example.org', source: {kind: 'config', file: 'gridsync.config.json', key: 'server'}},
      {name: 'timeout', value: 12, source: {kind: 'env', variable: 'GRIDSYNC_TIMEOUT'}},
      {name: 'token', value: SECRET_TOKEN, source: {kind: 'dotenv', file: '.env', variable: 'GRIDSYNC_TOKEN'}},
      {name: 'header', value: [`X-Api-Key: ${SECRET_HEADER}`, 'no-colon-here'], source: {kind: 'flag', flag: 'header'}},
      {name: 'concurrency', value: 8, source: {kind: 'flag', flag: 'concurrency'}},
      {name: 'insecure', value: undefined, source: {kind: 'default'}},
      {name: 'color', value: undefined, source: {kind: 'default'}},
    ])
  })
})

describe('configDocument', () => {
  it('shows sources and values, hides the token and the header values, and keeps header names', () => {
    const doc = configDocument('push', configuration())
    assert.equal(doc.command, 'push')
    assert.deepEqual(doc.files, {dotenv: '.env', config: {path: 'gridsync.config.json', source: {kind: 'default'}, found: true}})
    assert.deepEqual(doc.settings.token, {value: '(set, hidden)', source: {kind: 'dotenv', file: '.env', variable: 'GRIDSYNC_TOKEN'}, hidden: true})
    assert.deepEqual(doc.settings.header, {value: ['X-Api-Key: (hidden)', '(hidden)'], source: {kind: 'flag', flag: 'header'}, hidden: true})
    assert.deepEqual(doc.settings.timeout, {value: 12, source: {kind: 'env', variable: 'GRIDSYNC_TIMEOUT'}})
    assert.deepEqual(doc.settings.insecure, {value: null, source: {kind: 'default'}})
    const text = JSON.stringify(doc)
    assert.doesNotMatch(text, new RegExp(`${SECRET_TOKEN}|${SECRET_HEADER}`))
  })

  it('shows an unset token as not set', () => {
    const unset = describeConfiguration(['token'], {}, {...resolution, values: {}}, {})
    assert.deepEqual(configDocument('push', unset).settings.token, {value: null, source: {kind: 'default'}, hidden: true})
  })
})

describe('renderConfiguration', () => {
  it('prints the files read and one aligned line per setting, secrets hidden', () => {
    const text = renderConfiguration('push', configuration(), new Chalk({level: 0}))
    assert.doesNotMatch(text, new RegExp(`${SECRET_TOKEN}|${SECRET_HEADER}`))
    const lines = text.split('\n')
    assert.ok(lines.includes('.env file:           .env'), text)
    assert.ok(lines.includes('Configuration file:  gridsync.config.json (beside the maps directory)'), text)
    const table = lines.slice(lines.indexOf('') + 1)
    assert.deepEqual(table, [
      'SETTING      VALUE                          FROM',
      'server       https://maps.example.org       gridsync.config.json: "server"',
      'timeout      12                             environment variable GRIDSYNC_TIMEOUT',
      'token        (set, hidden)                  .env: GRIDSYNC_TOKEN',
      'header       X-Api-Key: (hidden), (hidden)  --header',
      'concurrency  8                              --concurrency',
      'insecure     (not set)                      default',
      'color        (not set)                      default',
    ])
  })

  it('says which file was named, or that there is none beside the maps directory', () => {
    const named = {...configuration(), configFile: {path: 'prod.json', source: {kind: 'env' as const, variable: 'GRIDSYNC_CONFIG'}, found: true}}
    assert.match(renderConfiguration('pull', named, new Chalk({level: 0})), /^Configuration file: {2}prod\.json \(named by environment variable GRIDSYNC_CONFIG\)$/m)
    const none = {settings: [], configFile: {path: '../gridsync.config.json', source: {kind: 'default' as const}, found: false}}
    const text = renderConfiguration('diff', none, new Chalk({level: 0}))
    assert.match(text, /^\.env file: {11}none$/m)
    assert.match(text, /^Configuration file: {2}none \(no \.\.\/gridsync\.config\.json beside the maps directory\)$/m)
  })
})
