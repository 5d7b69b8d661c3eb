import assert from 'node:assert/strict'
import {type ChildProcess, spawn} from 'node:child_process'
import {once} from 'node:events'
import {createServer} from 'node:net'
import {describe, it} from 'node:test'

import {BIN, ROOT, runCli} from '../../helpers/cli.js'

// Runs the built CLI: `npm run build` first.

interface Running {
  child: ChildProcess
  url: string
  /** Everything printed to stdout up to and including the URL line, and the line after it once printed. */
  stdout: () => string
}

async function startCommand(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [BIN, 'sandbox', ...args], {cwd: ROOT, env: {...process.env, NO_COLOR: '1'}})
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (chunk) => (stderr += chunk))
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      const found = /^Gridmap sandbox listening on (http:\/\/\S+)$/m.exec(stdout)
      if (found) resolve(found[1]!)
    })
    child.once('exit', (code) => reject(new Error(`sandbox exited with ${code} before listening: ${stderr}`)))
  })
  return {child, url, stdout: () => stdout}
}

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  const exited = once(child, 'exit')
  child.kill(signal)
  const [code] = await exited
  return code as number | null
}

describe('gridsync sandbox', () => {
  it('listens on a free port, answers, and exits 0 on SIGTERM', async () => {
    const {child, url} = await startCommand(['--port', '0'])
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
    const answer = await fetch(`${url}/api/maps/`)
    assert.equal(answer.status, 200)
    assert.deepEqual(await answer.json(), {maps: []})
    assert.equal(answer.headers.get('connection'), 'keep-alive')
    assert.equal(await stop(child, 'SIGTERM'), 0)
  })

  it('exits 0 on SIGINT too', async () => {
    const {child} = await startCommand([])
    assert.equal(await stop(child, 'SIGINT'), 0)
  })

  it('switches on the defects and options its flags name', async () => {
    const {child, url, stdout} = await startCommand(['--stale-reads', '300', '--ignore-obstacle-deletes', '--latency', '1', '--connection-close', '--api-version', '2.0.0'])
    try {
      const spec = await fetch(`${url}/apispec_1.json`)
      assert.equal(spec.headers.get('connection'), 'close')
      assert.equal(((await spec.json()) as {info: {version: string}}).info.version, '2.0.0')

      const json = {'Content-Type': 'application/json'}
      await fetch(`${url}/api/maps/`, {method: 'POST', headers: json, body: JSON.stringify({name: 'M', width: 2, height: 2})})
      await fetch(`${url}/api/maps/m/obstacles/`, {method: 'POST', headers: json, body: JSON.stringify({x: 1, y: 1})})
      const before = await (await fetch(`${url}/api/maps/m/`)).json()
      assert.equal((await fetch(`${url}/api/maps/m/obstacles/1/1/`, {method: 'DELETE'})).status, 204)
      await fetch(`${url}/api/maps/m/obstacles/`, {method: 'POST', headers: json, body: JSON.stringify({x: 0, y: 0})})
      // Still the cached answer, and the deleted obstacle is still there.
      assert.deepEqual(await (await fetch(`${url}/api/maps/m/`)).json(), before)
      assert.match(stdout(), /Defects on: stale reads for 300 s, obstacle deletes ignored, 1 ms latency, Connection: close/)
    } finally {
      assert.equal(await stop(child, 'SIGTERM'), 0)
    }
  })

  it('exits 2 with a clear message when the port is taken', async () => {
    const blocker = createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const {port} = blocker.address() as {port: number}
    try {
      const r = await runCli(['sandbox', '--port', String(port)])
      assert.equal(r.code, 2)
      assert.match(r.stderr, new RegExp(`Cannot listen on 127\\.0\\.0\\.1 port ${port}: .*EADDRINUSE`))
    } finally {
      blocker.close()
    }
  })

  it('logs every request with --log: method, path, status and duration', async () => {
    const {child, url, stdout} = await startCommand(['--log'])
    try {
      assert.equal((await fetch(`${url}/api/maps/`)).status, 200)
      assert.equal((await fetch(`${url}/api/maps/nowhere/?x=1`)).status, 404)
      const logged = async (line: RegExp): Promise<void> => {
        while (!line.test(stdout())) await new Promise((resolve) => child.stdout!.once('data', resolve))
      }
      await logged(/^GET \/api\/maps\/nowhere\/\?x=1 404 \d+\.\d ms$/m)
      assert.match(stdout(), /^GET \/api\/maps\/ 200 \d+\.\d ms$/m)
    } finally {
      assert.equal(await stop(child, 'SIGTERM'), 0)
    }
  })

  it('logs nothing per request without --log', async () => {
    const {child, url, stdout} = await startCommand([])
    try {
      assert.equal((await fetch(`${url}/api/maps/`)).status, 200)
    } finally {
      assert.equal(await stop(child, 'SIGTERM'), 0)
    }
    assert.doesNotMatch(stdout(), /GET/)
  })

  it('stops on SIGTERM without waiting for a request that is still being answered', {timeout: 60_000}, async (t) => {
    // Each answer waits ten minutes: only a sandbox that cuts it off can stop within the test's time.
    const {child, url} = await startCommand(['--latency', '600000'])
    t.signal.addEventListener('abort', () => child.kill('SIGKILL'))
    const held = fetch(`${url}/api/maps/`).then(
      () => 'answered',
      () => 'cut off',
    )
    await new Promise((resolve) => setTimeout(resolve, 200))
    assert.equal(await stop(child, 'SIGTERM'), 0)
    assert.equal(await held, 'cut off')
  })

  it('exits 2 for an --api-version that is not a version', async () => {
    for (const bad of ['banana', '1', '1.0', 'v1.0.0']) {
      const r = await runCli(['sandbox', '--api-version', bad])
      assert.equal(r.code, 2, bad)
      assert.match(r.stderr, /Expected a version such as 1\.0\.0/)
    }
  })

  it('exits 2 for a bad --stale-reads value', async () => {
    const r = await runCli(['sandbox', '--stale-reads', 'soon'])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /--stale-reads/)
  })

  it('shows examples in its help', async () => {
    const r = await runCli(['sandbox', '--help'])
    assert.equal(r.code, 0)
    assert.match(r.stdout, /EXAMPLES/)
    assert.match(r.stdout, /gridsync sandbox --port 5000 --stale-reads 300/)
  })
})
