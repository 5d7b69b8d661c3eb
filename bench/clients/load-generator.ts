/**
 * A plain load generator on the endpoint a push uses most: it creates one large map,
 * then POSTs obstacles to it at distinct positions from a fixed number of kept-alive
 * connections, as fast as the server answers, for a fixed count after a warm-up. The
 * ceiling a client can reach on that server.
 *
 * With `got` as the fourth argument the same requests go through got (keep-alive
 * agent, no retries, nothing else): the ceiling of the HTTP library gridsync is built on.
 *
 * Usage: node load-generator.js BASE_URL CONNECTIONS COUNT [node|got]
 * Prints one JSON line: {"requests": N, "ms": T, "rps": R, "cpuMs": C}.
 */
import http from 'node:http'

import got from 'got'

const SIDE = 2000

async function main(): Promise<void> {
  const [base, connections = '4', count = '5000', library = 'node'] = process.argv.slice(2)
  if (!base || (library !== 'node' && library !== 'got')) throw new Error('usage: load-generator BASE_URL CONNECTIONS COUNT [node|got]')
  const lanes = Number(connections)
  const agent = new http.Agent({keepAlive: true, maxSockets: lanes})
  const mapUrl = await createMap(base, agent)
  const obstacles = new URL('obstacles/', mapUrl).href
  const viaGot = got.extend({agent: {http: agent}, retry: {limit: 0}, throwHttpErrors: false})

  let sent = 0
  const post = async (): Promise<void> => {
    const n = sent++
    const body = {x: n % SIDE, y: Math.floor(n / SIDE) % SIDE}
    const status = library === 'got' ? (await viaGot.post(obstacles, {json: body})).statusCode : await postWithNode(obstacles, body, agent)
    if (status !== 201) throw new Error(`status ${status}`)
  }

  const run = async (total: number): Promise<number> => {
    let left = total
    const started = performance.now()
    await Promise.all(
      Array.from({length: lanes}, async () => {
        while (left > 0) {
          left--
          await post()
        }
      }),
    )
    return performance.now() - started
  }

  await run(Math.min(500, Number(count)))
  const total = Number(count)
  const cpuBefore = process.cpuUsage()
  const ms = await run(total)
  const cpu = process.cpuUsage(cpuBefore)
  agent.destroy()
  console.log(JSON.stringify({requests: total, ms, rps: (total / ms) * 1000, cpuMs: (cpu.user + cpu.system) / 1000}))
}

async function createMap(base: string, agent: http.Agent): Promise<string> {
  const url = new URL('/api/maps/', base).href
  const answer = await request(url, 'POST', {name: `load ${process.pid} ${Date.now()}`, width: SIDE, height: SIDE}, agent)
  if (answer.status !== 201 || !answer.location) throw new Error(`creating the map: status ${answer.status}`)
  return new URL(answer.location, url).href
}

async function postWithNode(url: string, body: object, agent: http.Agent): Promise<number> {
  return (await request(url, 'POST', body, agent)).status
}

function request(url: string, method: string, body: object, agent: http.Agent): Promise<{status: number; location?: string}> {
  const text = JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = http.request(url, {method, agent, headers: {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)}}, (res) => {
      res.resume()
      res.on('end', () => resolve({status: res.statusCode ?? 0, location: res.headers.location}))
    })
    req.on('error', reject)
    req.end(text)
  })
}

await main()
