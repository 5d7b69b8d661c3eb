/**
 * Local planning time, the server's time left out: read and parse the map files, decode
 * the server's answers (JSON.parse and the same schema check the API client makes), and
 * plan (gridsync's makePlan, with its journal and stale-read checks). The answers are
 * prepared before the clock starts, so what is timed is gridsync's own work.
 *
 * Usage: node planning.js MAPS_DIR SEED_FILE
 * Prints one JSON line with the milliseconds of each part.
 */
import {readFile} from 'node:fs/promises'

import {parseMap} from '../../src/api/schemas.js'
import {loadMapsDir} from '../../src/format/index.js'
import type {GridMap, RemoteMap, RemoteMapSummary} from '../../src/model/types.js'
import {slugify} from '../../src/sandbox/index.js'
import type {SyncClient} from '../../src/sync/apply.js'
import {makePlan} from '../../src/sync/session.js'

const BASE = 'http://127.0.0.1:1'

async function main(): Promise<void> {
  const [mapsDir, seedFile] = process.argv.slice(2)
  if (!mapsDir || !seedFile) throw new Error('usage: planning MAPS_DIR SEED_FILE')
  const seed = JSON.parse(await readFile(seedFile, 'utf8')) as GridMap[]
  // The server's answers, as bodies: what the network would deliver.
  const answers = new Map<string, string>()
  const listing: RemoteMapSummary[] = []
  for (const m of seed) {
    const slug = slugify(m.name)
    const url = `${BASE}/api/maps/${slug}/`
    listing.push({name: m.name, slug, width: m.width, height: m.height, url})
    const observers = m.observers.map((o) => ({name: o.name, slug: slugify(o.name), vision: o.vision, x: o.x, y: o.y}))
    answers.set(url, JSON.stringify({name: m.name, slug, width: m.width, height: m.height, observers, obstacles: m.obstacles}))
  }
  let decodeMs = 0
  const client = {
    listMaps: async () => listing,
    getMap: async (url: string): Promise<RemoteMap> => {
      const started = performance.now()
      const body = answers.get(url)
      if (body === undefined) throw new Error(`no answer for ${url}`)
      const parsed = parseMap(JSON.parse(body))
      if (!parsed.success) throw parsed.error
      const map = parsed.data
      const read: RemoteMap = {...map, url, observers: map.observers.map((o) => ({...o, url: `${url}observers/${o.slug}/`}))}
      decodeMs += performance.now() - started
      return read
    },
  } as unknown as SyncClient

  const started = performance.now()
  const loaded = await loadMapsDir(mapsDir)
  const parsedAt = performance.now()
  const planned = await makePlan(client, {server: BASE, mapsDir, loaded, prune: false, concurrency: 4})
  const doneAt = performance.now()
  const u = process.resourceUsage()
  console.log(
    JSON.stringify({
      parseMs: parsedAt - started,
      decodeMs,
      planMs: doneAt - parsedAt - decodeMs,
      totalMs: doneAt - started,
      maps: loaded.maps.length,
      operations: planned.plan.operations.length,
      maxRssMb: u.maxRSS / 1024,
    }),
  )
}

await main()
