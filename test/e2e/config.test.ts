import assert from 'node:assert/strict'
import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {beforeEach, describe, it} from 'node:test'

import {runCli} from '../helpers/cli.js'
import {FANCY} from '../helpers/maps.js'
import {useSandbox} from '../helpers/sandbox.js'
import {useTempDir} from '../helpers/temp-dir.js'

const TOKEN = 'tok-e2e-5f3a9c'
const HEADER_VALUE = 'hdr-e2e-71b2d4'

describe('configuration: flag, environment, .env, configuration file, default', () => {
  const sandbox = useSandbox()
  /** A project directory: maps/ with one map, and the files each test writes. */
  let project: string
  let root: string
  useTempDir('gridsync-config-e2e-', (created) => {
    root = created
    project = path.join(root, 'project')
  })
  beforeEach(async () => {
    await mkdir(path.join(project, 'maps'), {recursive: true})
    await writeFile(path.join(project, 'maps', 'fancy.map'), FANCY)
  })

  const write = (name: string, text: string) => writeFile(path.join(project, name), text)
  const writeJson = (name: string, settings: Record<string, unknown>) => write(name, JSON.stringify(settings, null, 2))
  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, {cwd: project, env})

  it('gridsync config --json shows each setting from the highest layer that sets it', async () => {
    await writeJson('gridsync.config.json', {server: 'https://from-file.example', concurrency: 9, retries: 9, timeout: 9, header: ['X-Team: blue'], 'max-delete': '10%'})
    await write('.env', 'GRIDSYNC_CONCURRENCY=8\nGRIDSYNC_RETRIES=8\nGRIDSYNC_TIMEOUT=12\n')
    const r = await cli(['config', '--json', '--concurrency', '2'], {GRIDSYNC_CONCURRENCY: '7', GRIDSYNC_RETRIES: '1'})
    assert.equal(r.code, 0, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.equal(doc.command, 'push')
    const seen = (name: string) => ({value: doc.settings[name].value, from: doc.settings[name].source.kind})
    assert.deepEqual(seen('concurrency'), {value: 2, from: 'flag'})
    assert.deepEqual(seen('retries'), {value: 1, from: 'env'})
    assert.deepEqual(seen('timeout'), {value: 12, from: 'dotenv'})
    assert.deepEqual(seen('server'), {value: 'https://from-file.example', from: 'config'})
    assert.deepEqual(seen('max-delete'), {value: '10%', from: 'config'})
    assert.deepEqual(seen('wait-lock'), {value: 0, from: 'default'})
    assert.deepEqual(seen('maps-dir'), {value: './maps', from: 'default'})
    assert.deepEqual(doc.settings.header, {value: ['X-Team: (hidden)'], source: {kind: 'config', file: 'gridsync.config.json', key: 'header'}, hidden: true})
    assert.deepEqual(doc.files, {dotenv: '.env', config: {path: 'gridsync.config.json', source: {kind: 'default'}, found: true}})
    assert.equal(doc.settings.prune, undefined, 'flags only the command line gives are not settings')
  })

  it('gridsync config prints an aligned table naming each source', async () => {
    await writeJson('gridsync.config.json', {server: 'https://from-file.example'})
    const r = await cli(['config', '--for', 'pull'], {GRIDSYNC_WAIT_LOCK: '30'})
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /^Settings of gridsync pull;/)
    assert.match(r.stdout, /^server +https:\/\/from-file\.example +gridsync\.config\.json: "server"$/m)
    assert.match(r.stdout, /^wait-lock +30 +environment variable GRIDSYNC_WAIT_LOCK$/m)
    assert.match(r.stdout, /^timeout +30 +default$/m)
    assert.doesNotMatch(r.stdout, /^max-delete/m, 'pull has no --max-delete')
  })

  it('never shows a token or header value, from the configuration file, .env or the command line', async () => {
    await writeJson('gridsync.config.json', {server: 'https://from-file.example', token: TOKEN})
    await write('.env', `GRIDSYNC_HEADER="X-Api-Key: ${HEADER_VALUE}"\n`)
    for (const args of [['config'], ['config', '--json'], ['config', '--header', `X-Other: ${HEADER_VALUE}`]]) {
      const r = await cli(args)
      assert.equal(r.code, 0, r.stderr)
      assert.doesNotMatch(r.stdout + r.stderr, new RegExp(`${TOKEN}|${HEADER_VALUE}`))
      assert.match(r.stdout, /X-(Api-Key|Other): \(hidden\)/)
      assert.match(r.stdout, /\(set, hidden\)/)
    }
  })

  it('a wrong value in the configuration file is exit 2 naming the file and the key, with and without --json', async () => {
    await writeJson('gridsync.config.json', {server: sandbox().url, concurrency: 'four', token: TOKEN})
    const expected = 'gridsync.config.json: "concurrency" must be a whole number from 1 to 64'
    // gridsync config checks every key in full, also those the command it shows does not use.
    for (const command of [['push'], ['config'], ['config', '--for', 'validate']]) {
      const human = await cli(command)
      assert.equal(human.code, 2, `${command.join(' ')}: ${human.stdout}${human.stderr}`)
      assert.equal(human.stderr.trim(), `Error: ${expected}`)
      assert.doesNotMatch(human.stderr, new RegExp(TOKEN))
      const json = await cli([...command, '--json'])
      assert.equal(json.code, 2)
      const doc = JSON.parse(json.stdout)
      assert.equal(doc.exitCode, 2)
      assert.equal(doc.error.code, 'CONFIG')
      assert.equal(doc.error.message, expected)
    }

    assert.equal(sandbox().snapshot().length, 0, 'nothing was pushed')
  })

  it('refuses --prune from the configuration file (exit 2, nothing deleted)', async () => {
    await writeJson('gridsync.config.json', {server: sandbox().url, prune: true})
    const r = await cli(['push'])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /gridsync\.config\.json: "prune" is not allowed: --prune can only be given on the command line/)
    assert.equal(sandbox().snapshot().length, 0)
  })

  it('a missing file named by --config or GRIDSYNC_CONFIG is exit 2', async () => {
    const flag = await cli(['diff', '--config', 'nope.json'])
    assert.equal(flag.code, 2)
    assert.match(flag.stderr, /configuration file nope\.json not found \(named by --config\)/)
    const env = await cli(['config', '--json'], {GRIDSYNC_CONFIG: 'nope.json'})
    assert.equal(env.code, 2)
    assert.equal(JSON.parse(env.stdout).error.message, 'configuration file nope.json not found (named by environment variable GRIDSYNC_CONFIG)')
  })

  it('push takes its server from gridsync.config.json beside the maps directory, and syncs', async () => {
    await writeJson('gridsync.config.json', {server: sandbox().url, concurrency: 2})
    const r = await cli(['push'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.deepEqual(
      sandbox()
        .snapshot()
        .map((m) => m.name),
      ['Fancy Map'],
    )
  })

  it('a file named by --config sets the maps directory, relative to the file', async () => {
    await mkdir(path.join(root, 'etc'))
    await writeFile(path.join(root, 'etc', 'prod.json'), JSON.stringify({server: sandbox().url, 'maps-dir': '../project/maps'}))
    const r = await runCli(['diff', '--config', path.join('etc', 'prod.json'), '--exit-code', '--json'], {cwd: root})
    assert.equal(r.code, 3, r.stderr)
    assert.equal(JSON.parse(r.stdout).summary.maps.create, 1)
  })

  it('a required setting that nothing gives is exit 2, saying where it can be set', async () => {
    const r = await cli(['diff'], {GRIDSYNC_SERVER: ''})
    assert.equal(r.code, 2)
    assert.match(r.stderr, /--server is required: give it on the command line, set GRIDSYNC_SERVER in the environment or \.env, or "server" in gridsync\.config\.json/)
  })

  it('--for names a command', async () => {
    const r = await cli(['config', '--for', 'nope'])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /--for must name a gridsync command \(.*push.*\); "nope" is not one/)
  })
})
