import assert from 'node:assert/strict'
import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, it} from 'node:test'

import {Flags} from '@oclif/core'

import {ConfigError, type FlagShape, type Resolution} from '../../../src/config/index.js'
import {ExitCode} from '../../../src/exit-codes.js'
import {failure} from '../../helpers/errors.js'
import {configJson, FLAGS, project, resolveIn} from './helpers.js'

async function problems(promise: Promise<Resolution>): Promise<string[]> {
  const error = await failure(promise)
  assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`)
  assert.equal(error.exitCode, ExitCode.USAGE)
  return error.problems
}

/** The value and a short name of the source of one setting. */
function winner(resolution: Resolution, name: string): {value: unknown; from: string} | undefined {
  const layer = resolution.values[name]
  return layer && {value: layer.value, from: layer.source.kind}
}

describe('resolveLayers: one precedence for every setting', () => {
  // One setting of each kind, set in all three layers with different values.
  const cases = [
    {name: 'server', variable: 'GRIDSYNC_SERVER', env: 'https://env', dotenv: 'https://dotenv', file: 'https://file', values: ['https://env', 'https://dotenv', 'https://file']},
    {name: 'concurrency', variable: 'GRIDSYNC_CONCURRENCY', env: '7', dotenv: '8', file: 9, values: [7, 8, 9]},
    {
      name: 'header',
      variable: 'GRIDSYNC_HEADER',
      env: 'X-A: 1\nX-B: 2',
      dotenv: '"X-C: 3"',
      file: ['X-D: 4'],
      values: [['X-A: 1', 'X-B: 2'], ['X-C: 3'], ['X-D: 4']],
    },
    {name: 'insecure', variable: 'GRIDSYNC_INSECURE', env: 'false', dotenv: 'yes', file: false, values: [false, true, false]},
  ] as const

  for (const c of cases) {
    it(`${c.name}: the environment beats .env, which beats the configuration file; the command line skips them all`, async () => {
      const dir = await project({'.env': `${c.variable}=${c.dotenv}\n`, 'gridsync.config.json': configJson({[c.name]: c.file})})
      const env = {[c.variable]: c.env}
      assert.deepEqual(winner(await resolveIn(dir, {env}), c.name), {value: c.values[0], from: 'env'})
      assert.deepEqual(winner(await resolveIn(dir), c.name), {value: c.values[1], from: 'dotenv'})
      await writeFile(path.join(dir, '.env'), '# nothing for gridsync\nOTHER_TOOL=1\n')
      assert.deepEqual(winner(await resolveIn(dir, {env}), c.name), {value: c.values[0], from: 'env'})
      assert.deepEqual(winner(await resolveIn(dir), c.name), {value: c.values[2], from: 'config'})
      assert.equal(winner(await resolveIn(dir, {env, given: {[c.name]: c.values[0]}}), c.name), undefined)
    })
  }

  it('leaves a setting that no layer sets to the default (absent from the values)', async () => {
    const resolution = await resolveIn(await project())
    assert.deepEqual(resolution.values, {})
    assert.equal(resolution.dotenv, undefined)
    assert.deepEqual(resolution.configFile, {path: 'gridsync.config.json', source: {kind: 'default'}, found: false})
  })

  it('records the file and key or variable of each value', async () => {
    const dir = await project({'.env': 'GRIDSYNC_LOG_FORMAT=json\n', 'gridsync.config.json': configJson({server: 'https://file'})})
    const resolution = await resolveIn(dir, {env: {GRIDSYNC_CONCURRENCY: '3'}})
    assert.deepEqual(resolution.values, {
      server: {value: 'https://file', source: {kind: 'config', file: 'gridsync.config.json', key: 'server'}},
      concurrency: {value: 3, source: {kind: 'env', variable: 'GRIDSYNC_CONCURRENCY'}},
      'log-format': {value: 'json', source: {kind: 'dotenv', file: '.env', variable: 'GRIDSYNC_LOG_FORMAT'}},
    })
    assert.equal(resolution.dotenv, '.env')
    assert.deepEqual(resolution.configFile, {path: 'gridsync.config.json', source: {kind: 'default'}, found: true})
  })

  it('treats an empty variable as not set', async () => {
    const dir = await project({'.env': 'GRIDSYNC_SERVER=https://dotenv\nGRIDSYNC_TOKEN=\n'})
    const resolution = await resolveIn(dir, {env: {GRIDSYNC_SERVER: ''}})
    assert.deepEqual(winner(resolution, 'server'), {value: 'https://dotenv', from: 'dotenv'})
    assert.equal(winner(resolution, 'token'), undefined)
  })
})

describe('resolveLayers: values written as text', () => {
  for (const [text, value] of [
    ['true', true],
    ['YES', true],
    ['1', true],
    ['false', false],
    ['no', false],
    ['0', false],
  ] as const) {
    it(`reads the switch value "${text}" as ${value}`, async () => {
      assert.deepEqual(winner(await resolveIn(await project(), {env: {GRIDSYNC_INSECURE: text}}), 'insecure'), {value, from: 'env'})
    })
  }

  it('reports a wrong switch, number, choice and a number out of bounds, each naming the variable', async () => {
    const dir = await project({'.env': 'GRIDSYNC_CONCURRENCY=65\nGRIDSYNC_LOG_FORMAT=xml\n'})
    assert.deepEqual(await problems(resolveIn(dir, {env: {GRIDSYNC_INSECURE: 'maybe', GRIDSYNC_WAIT_LOCK: 'soon'}})), [
      '.env: GRIDSYNC_CONCURRENCY must be a whole number from 1 to 64',
      'environment variable GRIDSYNC_WAIT_LOCK must be a whole number of at least 0',
      'environment variable GRIDSYNC_INSECURE must be one of true, false, yes, no, 1, 0 (in any case)',
      '.env: GRIDSYNC_LOG_FORMAT must be one of "text", "json"',
    ])
  })

  it('keeps a relative path from the environment as given (relative to the working directory)', async () => {
    const dir = await project({'logs/x.log': ''})
    assert.deepEqual(winner(await resolveIn(dir, {env: {GRIDSYNC_LOG_FILE: 'logs/x.log'}}), 'log-file'), {value: 'logs/x.log', from: 'env'})
  })
})

describe('resolveLayers: .env', () => {
  it('reads KEY=value lines with comments, quotes and export, and uses only GRIDSYNC_ variables', async () => {
    const dir = await project({
      '.env': [
        '# deployment settings',
        'export GRIDSYNC_SERVER=https://maps.example.org',
        "GRIDSYNC_MAX_DELETE='10%'",
        'GRIDSYNC_TOKEN="with # and spaces"',
        'DATABASE_URL=postgres://elsewhere',
        '',
        'GRIDSYNC_LOG_FILE=run.log # trailing comment',
      ].join('\r\n'),
    })
    const resolution = await resolveIn(dir)
    assert.deepEqual(Object.fromEntries(Object.entries(resolution.values).map(([name, layer]) => [name, layer.value])), {
      server: 'https://maps.example.org',
      'max-delete': '10%',
      token: 'with # and spaces',
      'log-file': 'run.log',
    })
  })

  it('reports a GRIDSYNC_ variable that no command has, naming .env and the variable', async () => {
    const dir = await project({'.env': 'GRIDSYNC_SERVR=https://typo\n'})
    assert.deepEqual(await problems(resolveIn(dir)), ['.env: GRIDSYNC_SERVR is not a gridsync setting'])
  })

  it('accepts a variable of another command (known) that this command does not use', async () => {
    const dir = await project({'.env': 'GRIDSYNC_PORT=8080\n'})
    const known = {...FLAGS, port: Flags.integer()} as Record<string, FlagShape>
    assert.deepEqual((await resolveIn(dir, {known})).values, {})
  })

  it('reports, by line number only, a broken line that would swallow the GRIDSYNC_ variable after it', async () => {
    const dir = await project({'.env': 'GRIDSYNC_SERVER=https://ok\nGRIDSYNC_TOKEN sekrit-value\nGRIDSYNC_RETRIES=2\n'})
    const lines = await problems(resolveIn(dir))
    assert.deepEqual(lines, ['.env:2: not a KEY=value line, so a setting on it (or after it) would be lost'])
    assert.doesNotMatch(lines.join('\n'), /sekrit/)
  })

  it('reads a quoted value over several lines whatever it holds, and reports a broken line after it', async () => {
    const dir = await project({'.env': 'GRIDSYNC_HEADER="X-A: 1\nX-Note: see GRIDSYNC_SERVER"\nexport GRIDSYNC_SERVER=https://ok\nGRIDSYNC_QUIET\n'})
    assert.deepEqual(await problems(resolveIn(dir)), ['.env:4: not a KEY=value line, so a setting on it (or after it) would be lost'])
    const fixed = await project({'.env': 'GRIDSYNC_HEADER="X-A: 1\nX-Note: see GRIDSYNC_SERVER"\nexport GRIDSYNC_SERVER=https://ok\n'})
    assert.deepEqual((await resolveIn(fixed)).values.header?.value, ['X-A: 1', 'X-Note: see GRIDSYNC_SERVER'])
  })

  it('is optional', async () => {
    assert.equal((await resolveIn(await project())).dotenv, undefined)
  })
})

describe('resolveLayers: the configuration file', () => {
  it('names the file and the key of every wrong value, and never quotes a value', async () => {
    const dir = await project({
      'gridsync.config.json': configJson({concurrency: 'four', header: 'X-Key: sekrit', insecure: 'yes', 'log-format': 'xml', 'max-delete': true, serverr: 'x'}),
    })
    const lines = await problems(resolveIn(dir))
    assert.deepEqual(lines.sort(), [
      'gridsync.config.json: "concurrency" must be a whole number from 1 to 64',
      'gridsync.config.json: "header" must be a list of strings',
      'gridsync.config.json: "insecure" must be true or false',
      'gridsync.config.json: "log-format" must be one of "text", "json"',
      'gridsync.config.json: "max-delete" must be a string',
      'gridsync.config.json: "serverr" is not a gridsync setting',
    ])
    assert.doesNotMatch(lines.join('\n'), /sekrit/)
  })

  it('takes a number for a string setting, as the command line would', async () => {
    const dir = await project({'gridsync.config.json': configJson({'max-delete': 10})})
    assert.deepEqual(winner(await resolveIn(dir), 'max-delete'), {value: '10', from: 'config'})
  })

  it('refuses a whole number given as a string or with a fraction', async () => {
    for (const concurrency of ['4', 4.5, 0]) {
      const dir = await project({'gridsync.config.json': configJson({concurrency})})
      assert.deepEqual(await problems(resolveIn(dir)), ['gridsync.config.json: "concurrency" must be a whole number from 1 to 64'])
    }
  })

  it('refuses the flags that approve destruction or skip checks, and per-run choices, saying why', async () => {
    const dir = await project({'gridsync.config.json': configJson({prune: true, yes: true, 'skip-version-check': true, only: ['A'], config: 'other.json'})})
    assert.deepEqual(await problems(resolveIn(dir)), [
      'gridsync.config.json: "prune" is not allowed: --prune can only be given on the command line, since it approves a destructive change',
      'gridsync.config.json: "yes" is not allowed: --yes can only be given on the command line, since it approves a destructive change',
      'gridsync.config.json: "skip-version-check" is not allowed: --skip-version-check can only be given on the command line, since it turns off a safety check',
      'gridsync.config.json: "only" is not allowed: --only can only be given on the command line, since it is chosen for each run',
      'gridsync.config.json: "config" cannot be set in a configuration file; name the file with --config or GRIDSYNC_CONFIG',
    ])
  })

  it('refuses those flags in .env and in the environment too', async () => {
    const dir = await project({'.env': 'GRIDSYNC_OVERWRITE=1\n'})
    assert.deepEqual(await problems(resolveIn(dir, {env: {GRIDSYNC_PRUNE: 'true'}})), [
      'environment variable GRIDSYNC_PRUNE is not allowed: --prune can only be given on the command line, since it approves a destructive change',
      '.env: GRIDSYNC_OVERWRITE is not allowed: --overwrite can only be given on the command line, since it approves a destructive change',
    ])
  })

  it('resolves relative paths against the directory of the file', async () => {
    const dir = await project({
      'etc/ca.pem': 'PEM',
      'etc/gridsync.json': configJson({'ca-cert': 'ca.pem', 'maps-dir': '../maps', 'log-file': 'logs/run.log', 'max-delete': '../not-a-path'}),
    })
    const resolution = await resolveIn(dir, {given: {config: 'etc/gridsync.json'}})
    assert.deepEqual(winner(resolution, 'ca-cert'), {value: path.join(dir, 'etc', 'ca.pem'), from: 'config'})
    assert.deepEqual(winner(resolution, 'maps-dir'), {value: path.join(dir, 'maps'), from: 'config'})
    assert.deepEqual(winner(resolution, 'log-file'), {value: path.join(dir, 'etc', 'logs', 'run.log'), from: 'config'})
    assert.deepEqual(winner(resolution, 'max-delete'), {value: '../not-a-path', from: 'config'})
    assert.deepEqual(resolution.configFile, {path: path.join('etc', 'gridsync.json'), source: {kind: 'flag', flag: 'config'}, found: true})
  })

  it("runs the flag's own check: a certificate file that does not exist", async () => {
    const dir = await project({'gridsync.config.json': configJson({'ca-cert': 'missing.pem'})})
    assert.deepEqual(await problems(resolveIn(dir)), [`gridsync.config.json: "ca-cert" is not valid: No file found at ${path.join(dir, 'missing.pem')}`])
  })

  it('reports JSON syntax errors with line and column, without quoting the file', async () => {
    const dir = await project({'gridsync.config.json': '{\n  "server": "https://x",\n}\n'})
    assert.deepEqual(await problems(resolveIn(dir)), ['gridsync.config.json: not valid JSON: Expected double-quoted property name (line 3, column 1)'])
    await writeFile(path.join(dir, 'gridsync.config.json'), '{"token": sekrit}')
    const lines = await problems(resolveIn(dir))
    assert.match(lines[0] ?? '', /^gridsync\.config\.json: not valid JSON: /)
    assert.doesNotMatch(lines.join('\n'), /sekrit/)
  })

  it('wants one JSON object', async () => {
    const dir = await project({'gridsync.config.json': '["server"]'})
    assert.deepEqual(await problems(resolveIn(dir)), ['gridsync.config.json: must hold one JSON object of settings, such as {"server": "https://maps.example.org"}'])
  })

  it('accepts a key of another command that this command does not use', async () => {
    const dir = await project({'gridsync.config.json': configJson({port: 8080, server: 'https://x'})})
    const known = {...FLAGS, port: Flags.integer()} as Record<string, FlagShape>
    assert.deepEqual(Object.keys((await resolveIn(dir, {known})).values), ['server'])
  })
})

describe('resolveLayers: which configuration file', () => {
  it('looks beside the maps directory that the command line, the environment or .env names', async () => {
    const dir = await project({
      'a/gridsync.config.json': configJson({server: 'https://a'}),
      'b/gridsync.config.json': configJson({server: 'https://b'}),
      'c/gridsync.config.json': configJson({server: 'https://c'}),
      '.env': 'GRIDSYNC_MAPS_DIR=c/maps\n',
    })
    const server = async (options: Parameters<typeof resolveIn>[1]) => (await resolveIn(dir, options)).values.server?.value
    assert.equal(await server({given: {'maps-dir': 'a/maps'}, env: {GRIDSYNC_MAPS_DIR: 'b/maps'}}), 'https://a')
    assert.equal(await server({env: {GRIDSYNC_MAPS_DIR: 'b/maps'}}), 'https://b')
    assert.equal(await server({}), 'https://c')
  })

  it('uses the file --config, GRIDSYNC_CONFIG or .env names, in that order', async () => {
    const dir = await project({
      'one.json': configJson({server: 'https://one'}),
      'two.json': configJson({server: 'https://two'}),
      'three.json': configJson({server: 'https://three'}),
      'gridsync.config.json': configJson({server: 'https://beside'}),
      '.env': 'GRIDSYNC_CONFIG=three.json\n',
    })
    const server = async (options: Parameters<typeof resolveIn>[1]) => (await resolveIn(dir, options)).values.server
    assert.deepEqual(await server({given: {config: 'one.json'}, env: {GRIDSYNC_CONFIG: 'two.json'}}), {
      value: 'https://one',
      source: {kind: 'config', file: 'one.json', key: 'server'},
    })
    assert.equal((await server({env: {GRIDSYNC_CONFIG: 'two.json'}}))?.value, 'https://two')
    assert.equal((await server({}))?.value, 'https://three')
  })

  it('fails when a named file is missing, saying what named it; a missing file beside the maps directory is fine', async () => {
    const dir = await project()
    assert.deepEqual(await problems(resolveIn(dir, {given: {config: 'nope.json'}})), ['configuration file nope.json not found (named by --config)'])
    assert.deepEqual(await problems(resolveIn(dir, {env: {GRIDSYNC_CONFIG: 'nope.json'}})), [
      'configuration file nope.json not found (named by environment variable GRIDSYNC_CONFIG)',
    ])
    assert.equal((await resolveIn(dir)).configFile.found, false)
  })

  it('lets a named file set the maps directory', async () => {
    const dir = await project({'prod.json': configJson({'maps-dir': 'prod-maps'})})
    assert.equal((await resolveIn(dir, {given: {config: 'prod.json'}})).values['maps-dir']?.value, path.join(dir, 'prod-maps'))
  })

  it('refuses a maps-dir that would move the directory the file was found beside, and accepts one naming it', async () => {
    const dir = await project({'gridsync.config.json': configJson({'maps-dir': 'other'})})
    assert.deepEqual(await problems(resolveIn(dir)), [
      'gridsync.config.json: "maps-dir" names other, but this file was found beside the maps directory maps, which it cannot move; to set "maps-dir" in a configuration file, name the file with --config',
    ])
    await writeFile(path.join(dir, 'gridsync.config.json'), configJson({'maps-dir': './maps/'}))
    assert.equal((await resolveIn(dir)).values['maps-dir']?.value, path.join(dir, 'maps'))
  })
})

describe('resolveLayers: required settings', () => {
  const flags = {...FLAGS, server: Flags.string({required: true})} as Record<string, FlagShape>

  it('explains every way to give a required setting that nothing gives', async () => {
    assert.deepEqual(await problems(resolveIn(await project(), {flags})), [
      '--server is required: give it on the command line, set GRIDSYNC_SERVER in the environment or .env, or "server" in gridsync.config.json',
    ])
  })

  it('is satisfied by the configuration file or the command line', async () => {
    const dir = await project({'gridsync.config.json': configJson({server: 'https://file'})})
    assert.equal((await resolveIn(dir, {flags})).values.server?.value, 'https://file')
    assert.deepEqual((await resolveIn(await project(), {flags, given: {server: 'https://flag'}})).values, {})
  })
})
