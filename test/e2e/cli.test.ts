import assert from 'node:assert/strict'
import {cpSync, mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {describe, it} from 'node:test'

import {ROOT, runCli} from '../helpers/cli.js'

describe('gridsync CLI basics', () => {
  it('lists commands and exit codes in root help', async () => {
    const r = await runCli(['--help'])
    assert.equal(r.code, 0)
    assert.match(r.stdout, /EXIT CODES/)
    assert.match(r.stdout, /10 {2}another gridsync run holds the lock/)
  })

  it('exits 2 on an unknown flag, with and without --json', async () => {
    const human = await runCli(['validate', '--bogus'])
    assert.equal(human.code, 2)
    assert.match(human.stderr, /Nonexistent flag: --bogus/)
    const json = await runCli(['validate', '--bogus', '--json'])
    assert.equal(json.code, 2)
    const doc = JSON.parse(json.stdout)
    assert.equal(doc.status, 'error')
    assert.equal(doc.exitCode, 2)
  })
})

describe('oclif conventions', () => {
  it('shows a command help through "help", -h and --help alike', async () => {
    const [viaHelp, viaShort, viaLong] = await Promise.all([runCli(['help', 'push']), runCli(['push', '-h']), runCli(['push', '--help'])])
    for (const r of [viaHelp, viaShort, viaLong]) {
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, /^USAGE\n {2}\$ gridsync push --server/m)
      assert.match(r.stdout, /EXIT CODES/)
    }
    assert.equal(viaShort.stdout, viaLong.stdout)
    assert.equal(viaHelp.stdout, viaLong.stdout)
  })

  it('shows examples in the root help, and -h as --help', async () => {
    const r = await runCli(['-h'])
    assert.equal(r.code, 0)
    assert.match(r.stdout, /^EXAMPLES\n.*\n {4}\$ gridsync push --server sandbox$/m)
    assert.match(r.stdout, /^ {2}autocomplete\b/m)
  })

  it('prints the version with -v, --version and version', async () => {
    const {version} = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {version: string}
    for (const args of [['-v'], ['--version'], ['version']]) {
      // eslint-disable-next-line no-await-in-loop
      const r = await runCli(args)
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, new RegExp(`^gridsync/${version.replaceAll('.', '\\.')} `))
    }
  })

  it('names the variable of every setting in help, and none for flags only the command line takes', async () => {
    const r = await runCli(['push', '--help'])
    for (const variable of [
      'GRIDSYNC_SERVER',
      'GRIDSYNC_TIMEOUT',
      'GRIDSYNC_CONCURRENCY',
      'GRIDSYNC_HEADER',
      'GRIDSYNC_MAX_DELETE',
      'GRIDSYNC_WAIT_LOCK',
      'GRIDSYNC_VERBOSE',
      'GRIDSYNC_COLOR',
    ]) {
      assert.ok(r.stdout.includes(`env: ${variable}]`), `${variable} in push --help`)
    }
    for (const variable of ['GRIDSYNC_PRUNE', 'GRIDSYNC_YES', 'GRIDSYNC_FORCE', 'GRIDSYNC_ONLY', 'GRIDSYNC_VERIFY']) assert.ok(!r.stdout.includes(variable), variable)
  })

  it('an unknown command suggests the closest one and exits 2, asking nothing', async () => {
    const typo = await runCli(['pus', '--server', 'sandbox'])
    assert.equal(typo.code, 2)
    assert.equal(typo.stderr, 'Error: "pus" is not a gridsync command. Did you mean "gridsync push"? Run "gridsync help" for the list of commands.\n')
    assert.equal(typo.stdout, '')
    const far = await runCli(['frobnicate'])
    assert.equal(far.code, 2)
    assert.doesNotMatch(far.stderr, /Did you mean/)
  })

  it('prints a bash completion setup through the autocomplete plugin', async () => {
    const cache = mkdtempSync(path.join(tmpdir(), 'gridsync-complete-'))
    try {
      const r = await runCli(['autocomplete', 'bash'], {env: {XDG_CACHE_HOME: cache}})
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, /gridsync autocomplete/)
    } finally {
      rmSync(cache, {recursive: true, force: true})
    }
  })
})

describe('the README first command', () => {
  it('pushes the sample maps to an in-process sandbox: exit 0, all verified, a warning that it is gone afterwards', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gridsync-first-'))
    try {
      cpSync(path.join(ROOT, 'maps'), path.join(dir, 'maps'), {recursive: true})
      const r = await runCli(['push', '--server', 'sandbox'], {cwd: dir, env: {HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9'}})
      assert.equal(r.code, 0, r.stdout + r.stderr)
      assert.match(r.stdout, /^Verified: the server matches the files \(4 maps\)\.$/m)
      assert.match(r.stderr, /in-process sandbox server at\s[\s›]*http:\/\/127\.0\.0\.1:\d+; it is gone when this run ends/)
    } finally {
      rmSync(dir, {recursive: true, force: true})
    }
  })
})
