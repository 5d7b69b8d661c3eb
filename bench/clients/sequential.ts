/**
 * The baseline: a plain sequential client doing the same sync as `gridsync push`, one
 * request at a time on a new connection each (node:http, `agent: false`, so no
 * keep-alive). It reads what gridsync reads (the API version, the listing, each map
 * that has a file), plans with gridsync's own planner, sends the operations in plan
 * order, and reads back every map it touched. No journal, no retries, no schema checks.
 *
 * Usage: node sequential.js SERVER_URL MAPS_DIR [--prune]
 * Prints one JSON line: {"requests": N, "failed": N}.
 */
import http from 'node:http'

import {loadMapsDir} from '../../src/format/index.js'
import type {RemoteMap, RemoteMapSummary} from '../../src/model/types.js'
import {learn} from '../../src/sync/knowledge.js'
import {plan} from '../../src/sync/plan.js'
import type {Operation} from '../../src/sync/plan-types.js'

interface Answer {
  status: number
  location?: string
  body: string
}

let requests = 0

function request(method: string, url: string, body?: object): Promise<Answer> {
  requests++
  const data = body === undefined ? undefined : JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {method, agent: false, headers: data === undefined ? {} : {'content-type': 'application/json', 'content-length': Buffer.byteLength(data)}},
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({status: res.statusCode ?? 0, location: res.headers.location, body: Buffer.concat(chunks).toString('utf8')}))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(data)
  })
}

async function getJson<T>(url: string): Promise<T> {
  const answer = await request('GET', url)
  if (answer.status !== 200) throw new Error(`GET ${url}: ${answer.status}`)
  return JSON.parse(answer.body) as T
}

async function main(): Promise<void> {
  const [server, mapsDir, ...rest] = process.argv.slice(2)
  if (!server || !mapsDir) throw new Error('usage: sequential SERVER_URL MAPS_DIR [--prune]')
  const base = server.replace(/\/+$/, '')
  const mapUrl = (slug: string): string => `${base}/api/maps/${encodeURIComponent(slug)}/`
  const loaded = await loadMapsDir(mapsDir)

  const spec = await getJson<{info: {version: string}}>(`${base}/apispec_1.json`)
  if (!spec.info.version.startsWith('1.')) throw new Error(`API version ${spec.info.version}`)
  const wanted = new Set(loaded.maps.map((m) => m.name))
  const knowledge = await learn(
    {
      async listMaps(): Promise<RemoteMapSummary[]> {
        const listing = await getJson<{maps: Array<{name: string; slug: string; width: number; height: number}>}>(`${base}/api/maps/`)
        return listing.maps.map((m) => ({...m, url: mapUrl(m.slug)}))
      },
      async getMap(url: string): Promise<RemoteMap> {
        const read = await getJson<Omit<RemoteMap, 'url'>>(url)
        return {...read, url, observers: read.observers.map((o) => ({...o, url: `${url}observers/${encodeURIComponent(o.slug)}/`}))}
      },
    },
    {wanted: (name) => wanted.has(name), allRecorded: false, records: new Map(), cacheMs: 0, now: Date.now, concurrency: 1},
  )

  const p = plan({
    server: base,
    local: loaded.maps,
    invalid: loaded.invalid.map((f) => ({file: f.file, name: f.name, problems: []})),
    knowledge,
    prune: rest.includes('--prune'),
  })

  const urls = new Map(p.maps.flatMap((mp) => (mp.url ? [[mp.name, mp.url] as const] : [])))
  let failed = 0
  for (const op of p.operations) {
    const answer = await send(op, urls, base)
    if (answer.status >= 300) failed++
  }
  for (const name of new Set(p.operations.map((op) => op.map))) {
    const answer = await request('GET', urls.get(name) ?? '')
    if (answer.status === 200) JSON.parse(answer.body)
  }
  console.log(JSON.stringify({requests, failed}))
}

async function send(op: Operation, urls: Map<string, string>, base: string): Promise<Answer> {
  const map = urls.get(op.map) ?? ''
  switch (op.kind) {
    case 'createMap': {
      const answer = await request('POST', `${base}/api/maps/`, op.body)
      if (answer.location) urls.set(op.map, new URL(answer.location, base).href)
      return answer
    }
    case 'updateMap':
      return request('PUT', map, op.body)
    case 'deleteMap':
      return request('DELETE', map)
    case 'createObserver':
      return request('POST', `${map}observers/`, observerBody(op.observer))
    case 'updateObserver':
      return request('PUT', op.from.url, observerBody(op.observer))
    case 'deleteObserver':
      return request('DELETE', op.observer.url)
    case 'createObstacle':
      return request('POST', `${map}obstacles/`, op.position)
    case 'deleteObstacle':
      return request('DELETE', `${map}obstacles/${op.position.x}/${op.position.y}/`)
  }
}

function observerBody(o: {name: string; x: number; y: number; vision: number | null}): object {
  return o.vision === null ? {name: o.name, x: o.x, y: o.y} : {name: o.name, x: o.x, y: o.y, vision: o.vision}
}

await main()
