/**
 * A plain load generator: GETs on one URL from a fixed number of kept-alive
 * connections, as fast as the server answers, for a fixed count after a warm-up.
 * The ceiling a client can reach on that server.
 *
 * Usage: node load-generator.js URL CONNECTIONS COUNT
 * Prints one JSON line: {"requests": N, "ms": T, "rps": R}.
 */
import http from 'node:http'

async function main(): Promise<void> {
  const [url, connections = '4', count = '5000'] = process.argv.slice(2)
  if (!url) throw new Error('usage: load-generator URL CONNECTIONS COUNT')
  const lanes = Number(connections)
  const agent = new http.Agent({keepAlive: true, maxSockets: lanes})
  const get = (): Promise<void> =>
    new Promise((resolve, reject) => {
      http
        .get(url, {agent}, (res) => {
          res.resume()
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))))
        })
        .on('error', reject)
    })
  const run = async (total: number): Promise<number> => {
    let left = total
    const started = performance.now()
    await Promise.all(
      Array.from({length: lanes}, async () => {
        while (left > 0) {
          left--
          await get()
        }
      }),
    )
    return performance.now() - started
  }
  await run(Math.min(500, Number(count)))
  const total = Number(count)
  const ms = await run(total)
  agent.destroy()
  console.log(JSON.stringify({requests: total, ms, rps: (total / ms) * 1000}))
}

await main()
