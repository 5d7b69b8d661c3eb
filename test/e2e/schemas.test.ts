/**
 * Every --json document and every log event type, as the built CLI writes them, checked
 * against the schemas published in schemas/ (their zod sources, src/schemas/). A check
 * is strict: a field the schema does not describe fails it, so that a new field is
 * added to its schema (one line) when it is added to a document.
 */
import assert from 'node:assert/strict'
import {readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, it} from 'node:test'

import type {z} from 'zod'

import {DOCUMENTS, EVENTS, type EventSchemaName, jsonSchemas, LogEvent} from '../../src/schemas/index.js'
import {ROOT, runCli} from '../helpers/cli.js'
import {FANCY, SMALL} from '../helpers/maps.js'
import {useSandbox} from '../helpers/sandbox.js'
import {useTempDir} from '../helpers/temp-dir.js'

/** Parses `value` with `schema` and fails on any problem, or on any field the schema leaves out. */
function conforms(schema: z.ZodType, value: unknown, what: string): void {
  const parsed = schema.safeParse(value)
  assert.ok(parsed.success, `${what}: ${parsed.error?.message}\n${JSON.stringify(value)}`)
  assert.deepEqual(parsed.data, value, `${what} has fields its schema does not describe`)
}

function document(name: keyof typeof DOCUMENTS, stdout: string): void {
  conforms(DOCUMENTS[name], JSON.parse(stdout), `${name} --json`)
}

const seenEvents = new Set<string>()
function events(text: string, what: string): void {
  for (const line of text.trimEnd().split('\n')) {
    const e = JSON.parse(line) as {event: EventSchemaName}
    assert.ok(Object.hasOwn(EVENTS, e.event), `${what}: unknown event ${e.event}`)
    conforms(EVENTS[e.event], e, `${what}: ${e.event} event`)
    conforms(LogEvent, e, `${what}: ${e.event} as a log event`)
    seenEvents.add(e.event)
  }
}

describe('published schemas', () => {
  it('schemas/ holds the JSON Schema of every document and event, as the build made them from src/schemas', async () => {
    const expected = jsonSchemas()
    assert.deepEqual(Object.keys(expected).sort(), [
      'config.schema.json',
      'diff.schema.json',
      'error.schema.json',
      ...Object.keys(EVENTS)
        .map((name) => `events/${name}.schema.json`)
        .sort(),
      'log-event.schema.json',
      'pull.schema.json',
      'push.schema.json',
      'sync.schema.json',
      'validate.schema.json',
    ])
    for (const [file, schema] of Object.entries(expected)) {
      // eslint-disable-next-line no-await-in-loop
      assert.deepEqual(JSON.parse(await readFile(path.join(ROOT, 'schemas', file), 'utf8')), schema, file)
    }
  })

  describe('describe what every command writes', () => {
    const sandbox = useSandbox()
    let dir: string
    useTempDir('gridsync-schemas-', (created) => {
      dir = created
    })
    const server = () => ['--server', sandbox().url, '--maps-dir', dir]

    it('validate, valid and invalid; invalid-file events', async () => {
      await writeFile(path.join(dir, 'small.map'), SMALL)
      document('validate', (await runCli(['validate', '--maps-dir', dir, '--json'])).stdout)
      await writeFile(path.join(dir, 'broken.map'), 'Broken\n..\n.\n')
      const r = await runCli(['validate', '--maps-dir', dir, '--json', '--log-format', 'json'])
      assert.equal(r.code, 5)
      document('validate', r.stdout)
      events(r.stderr, 'validate')
    })

    it('diff and push, with failures, verification and the request trace; pull, dry and not', async () => {
      await writeFile(path.join(dir, 'small.map'), SMALL)
      await writeFile(path.join(dir, 'fancy.map'), FANCY)
      const diff = await runCli(['diff', ...server(), '--json', '--log-format', 'json', '--verbose', '--verbose'])
      document('diff', diff.stdout)
      events(diff.stderr, 'diff')

      sandbox().defects.failBeforeWrite = (w) => w.method === 'POST' && w.path === '/api/maps/small/observers/'
      const failed = await runCli(['push', ...server(), '--json', '--log-format', 'json', '--retries', '0'])
      assert.equal(failed.code, 4)
      document('push', failed.stdout)
      events(failed.stderr, 'push')
      sandbox().defects.failBeforeWrite = undefined
      const done = await runCli(['push', ...server(), '--json', '--no-verify'])
      document('push', done.stdout)

      const fresh = path.join(dir, 'pulled')
      for (const args of [['--dry-run'], []]) {
        // eslint-disable-next-line no-await-in-loop
        const pull = await runCli(['pull', '--server', sandbox().url, '--maps-dir', fresh, '--json', '--log-format', 'json', ...args])
        assert.equal(pull.code, 0, pull.stderr)
        document('pull', pull.stdout)
        events(pull.stderr, 'pull')
      }
    })

    it('sync: a dry run, a run that sends and writes, and a conflict, as documents and events', async () => {
      await writeFile(path.join(dir, 'small.map'), SMALL)
      await fetch(`${sandbox().url}/api/maps/`, {method: 'POST', headers: {'content-type': 'application/json'}, body: '{"name":"Other","width":3,"height":2}'})
      const args = [...server(), '--stale-window', '0', '--json', '--log-format', 'json']
      const dry = await runCli(['sync', ...args, '--dry-run', '--exit-code'])
      assert.equal(dry.code, 3, dry.stderr)
      document('sync', dry.stdout)
      events(dry.stderr, 'sync')
      const run = await runCli(['sync', ...args])
      assert.equal(run.code, 0, run.stdout)
      document('sync', run.stdout)
      events(run.stderr, 'sync')
      // Observer "Small Two" moves on both sides, to different tiles.
      await fetch(`${sandbox().url}/api/maps/small/observers/small-two/`, {method: 'PUT', headers: {'content-type': 'application/json'}, body: '{"name":"Small Two","x":0,"y":1}'})
      await writeFile(path.join(dir, 'small.map'), SMALL.replace('a.#\n.#b', 'ab#\n.#.'))
      const conflict = await runCli(['sync', ...args])
      assert.equal(conflict.code, 4, conflict.stdout)
      document('sync', conflict.stdout)
      events(conflict.stderr, 'sync')
    })

    it('a conflict; warnings; an error that stops a run, as a document and as events', async () => {
      await writeFile(path.join(dir, 'small.map'), SMALL)
      assert.equal((await runCli(['push', ...server()])).code, 0)
      await fetch(`${sandbox().url}/api/maps/small/obstacles/`, {method: 'POST', headers: {'content-type': 'application/json'}, body: '{"x":0,"y":1}'})
      await writeFile(path.join(dir, 'small.map'), SMALL.replace('a.#', 'a##'))
      // This sandbox does not cache reads: --stale-window 0 lets the edit be seen at once.
      const conflict = await runCli(['push', ...server(), '--json', '--log-format', 'json', '--insecure', '--stale-window', '0'])
      assert.equal(conflict.code, 4, conflict.stderr)
      document('push', conflict.stdout)
      events(conflict.stderr, 'push')

      const stopped = await runCli(['push', '--server', 'http://127.0.0.1:9', '--maps-dir', dir, '--retries', '0', '--json', '--log-format', 'json'])
      assert.equal(stopped.code, 6)
      document('error', stopped.stdout)
      events(stopped.stderr, 'push')
      document('error', (await runCli(['validate', '--bogus', '--json'])).stdout)
    })

    it('config, with and without a server and a proxy', async () => {
      for (const [args, env] of [
        [['config', '--json'], {}],
        [['config', '--for', 'validate', '--json'], {}],
        [['config', '--server', 'https://maps.example.org', '--token', 'secret-token', '--header', 'X-A: b', '--json'], {HTTPS_PROXY: 'http://u:p@proxy.example:3128'}],
        [['config', '--server', 'https://maps.example.org', '--json'], {HTTPS_PROXY: 'http://proxy.example:3128', NO_PROXY: 'example.org'}],
      ] as const) {
        // eslint-disable-next-line no-await-in-loop
        const r = await runCli([...args], {cwd: dir, env})
        assert.equal(r.code, 0, r.stderr)
        document('config', r.stdout)
      }
    })

    it('every event type was met above', () => {
      assert.deepEqual([...seenEvents].sort(), Object.keys(EVENTS).sort())
    })
  })
})
