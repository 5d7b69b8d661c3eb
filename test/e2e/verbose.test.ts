/**
 * --verbose: every change and failure listed in the text report; given twice, or with
 * DEBUG=gridsync:http, every HTTP attempt traced on stderr, never with a secret.
 */
import assert from 'node:assert/strict'
import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, it} from 'node:test'

import {runCli} from '../helpers/cli.js'
import {useSandbox} from '../helpers/sandbox.js'
import {useTempDir} from '../helpers/temp-dir.js'

const TOKEN = 'tok-verbose-9a8b7c6d'

/** A map with 30 obstacles in its first row: more changes than a report lists without --verbose. */
const WIDE = `Wide\n${'#'.repeat(30)}\n${'.'.repeat(30)}\n`
const TRACE_LINE = /^\S+Z (diff|push) http (GET|POST|PUT|DELETE) http:\/\/127\.0\.0\.1:\d+\/\S* -> (\d{3}|no answer \(.+\)) in [\d.]+ ms, attempt \d+$/

describe('--verbose', () => {
  const sandbox = useSandbox()
  let dir: string
  useTempDir('gridsync-verbose-', (created) => {
    dir = created
  })
  const cli = (args: string[], env?: NodeJS.ProcessEnv) => runCli([...args, '--server', sandbox().url, '--maps-dir', dir], {env})

  it('lists every change of the plan, where the report otherwise stops at 20', async () => {
    // The map is on the server, empty: each obstacle is a change of its own (a new map's are counted in one line).
    sandbox().seed([{name: 'Wide', width: 30, height: 2}])
    await writeFile(path.join(dir, 'wide.map'), WIDE)
    const short = await cli(['diff'])
    assert.equal(short.code, 0, short.stderr)
    assert.match(short.stdout, /\.\.\. and 10 more changes \(--verbose lists all\)/)
    assert.equal(short.stdout.match(/^ {4}\+ /gm)?.length, 20)
    const all = await cli(['diff', '--verbose'])
    assert.doesNotMatch(all.stdout, /more changes/)
    assert.equal(all.stdout.match(/^ {4}\+ /gm)?.length, 30)
    assert.equal(all.stderr, '', 'one --verbose traces nothing')
  })

  it('lists every failed and skipped operation of a push', async () => {
    await writeFile(path.join(dir, 'wide.map'), WIDE)
    sandbox().defects.failBeforeWrite = (w) => w.method === 'POST' && w.path.includes('/obstacles/')
    const short = await cli(['push', '--retries', '0'])
    assert.equal(short.code, 4, short.stdout + short.stderr)
    assert.match(short.stdout, /\.\.\. and 10 more failed operations \(--verbose lists all\)/)
    sandbox().reset()
    sandbox().defects.failBeforeWrite = (w) => w.method === 'POST' && w.path.includes('/obstacles/')
    await writeFile(path.join(dir, 'wide.map'), WIDE.replace('Wide', 'Wide Two'))
    const all = await cli(['push', '--retries', '0', '--verbose'], {GRIDSYNC_STALE_WINDOW: '0'})
    assert.equal(all.code, 4, all.stdout + all.stderr)
    assert.doesNotMatch(all.stdout, /more failed operations/)
    assert.equal(all.stdout.match(/^failed Wide Two: create obstacle/gm)?.length, 30)
  })

  it('twice: traces every HTTP attempt on stderr (method, URL, status, duration, attempt), never the token', async () => {
    await writeFile(path.join(dir, 'wide.map'), WIDE)
    const r = await cli(['push', '--verbose', '--verbose', '--token', TOKEN])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const lines = r.stderr.trimEnd().split('\n')
    for (const line of lines) assert.match(line, TRACE_LINE)
    assert.equal(lines.length, sandbox().stats.total, 'one line per request the server answered')
    assert.ok(lines.some((l) => / http POST \S+\/obstacles\/ -> 201 /.test(l)))
    assert.doesNotMatch(r.stderr + r.stdout, new RegExp(TOKEN))
    assert.doesNotMatch(r.stderr, /authorization|bearer/i)
  })

  it('DEBUG=gridsync:http traces as well, with retries counted as attempts', async () => {
    await writeFile(path.join(dir, 'wide.map'), WIDE)
    let failedOnce = false
    sandbox().defects.failBeforeWrite = (w) => {
      if (failedOnce || w.method !== 'POST' || !w.path.includes('/obstacles/')) return false
      failedOnce = true
      return true
    }
    const r = await cli(['push'], {DEBUG: 'gridsync:*'})
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const lines = r.stderr
      .trimEnd()
      .split('\n')
      .filter((l) => / http /.test(l))
    assert.ok(lines.some((l) => / -> 500 in .* attempt 1$/.test(l)))
    assert.ok(lines.some((l) => / -> 201 in .* attempt 2$/.test(l)))
    const off = await cli(['diff'], {DEBUG: 'gridsync:*,-gridsync:http'})
    assert.doesNotMatch(off.stderr, / http /)
  })

  it('in --log-format json, the trace is request events among the others on stderr', async () => {
    await writeFile(path.join(dir, 'wide.map'), WIDE)
    const r = await cli(['diff', '--log-format', 'json', '--verbose', '--verbose'])
    const events = r.stderr
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as {event: string; method?: string; status?: number})
    const requests = events.filter((e) => e.event === 'request')
    assert.equal(requests.length, sandbox().stats.total)
    assert.deepEqual(Object.keys(requests[0]!), ['time', 'level', 'event', 'command', 'method', 'url', 'status', 'error', 'durationMs', 'attempt'])
  })
})
