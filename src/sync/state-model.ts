import {createHash} from 'node:crypto'

import {PositionSet, uniquePositions, visitKeysInTextOrder} from '../model/positions.js'
import {type GridMap, type Position, positionKey, type RemoteMap, type RemoteObserver} from '../model/types.js'
import type {Operation} from './plan-types.js'

/** Obstacle keys hashed at a time by fingerprint(). */
const HASH_PIECES = 4096

/**
 * A stable fingerprint of a map as the server answered it. Two reads with the same
 * fingerprint are the same answer: after writes, that is how a cached (stale) answer
 * is recognised.
 */
export function fingerprint(map: GridMap | undefined): string | null {
  if (!map) return null
  const observers = [...map.observers].map((o) => [o.name, o.x, o.y, o.vision]).sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1))
  // The hash of JSON.stringify([name, width, height, observers, the obstacles' keys sorted]),
  // fed in pieces so that a large map never becomes one long string.
  const hash = createHash('sha256').update(`${JSON.stringify([map.name, map.width, map.height, observers]).slice(0, -1)},[`)
  let pieces: string[] = []
  let separator = ''
  visitKeysInTextOrder(map.obstacles, (key) => {
    pieces.push(`${separator}"${key}"`)
    separator = ','
    if (pieces.length === HASH_PIECES) {
      hash.update(pieces.join(''))
      pieces = []
    }
  })
  return hash
    .update(`${pieces.join('')}]]`)
    .digest('hex')
    .slice(0, 32)
}

/**
 * A fingerprint of a map as the server's listing shows it, for a map whose contents
 * were not read (one without a file, pruned or left alone): never equal to a
 * fingerprint of contents.
 */
export function listedFingerprint(summary: {name: string; width: number; height: number}): string {
  const canonical = JSON.stringify(['listed', summary.name, summary.width, summary.height])
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32)
}

/**
 * The state of a map after the given acknowledged operations, starting from `before`
 * (undefined: the map did not exist). `urls` holds what creates returned (op id -> URL).
 * Returns undefined when the map was deleted.
 */
export function applyToModel(before: RemoteMap | undefined, ops: readonly Operation[], urls: ReadonlyMap<number, string> = new Map()): RemoteMap | undefined {
  let map: RemoteMap | undefined = before && {...before, observers: before.observers.map((o) => ({...o}))}
  // The obstacles end as a Map keyed by position would leave them: repeats on the server
  // collapse into one, the starting ones keep their order unless deleted, and each one
  // placed anew goes last. Only what the operations touch is held apart from the start.
  let start: readonly Position[] = before?.obstacles ?? []
  let present = PositionSet.of(start)
  let removed = PositionSet.spanning(start)
  const placed = new Map<string, Position>()
  for (const op of ops) {
    switch (op.kind) {
      case 'createMap': {
        const url = urls.get(op.id) ?? ''
        map = {...op.body, slug: slugFromUrl(url), url, observers: [], obstacles: []}
        start = []
        present = PositionSet.of([])
        removed = PositionSet.of([])
        placed.clear()
        break
      }

      case 'updateMap': {
        if (map) map = {...map, ...op.body}
        // A rename moves the map to a new URL, which only the listing tells (unknown until then: '').
        if (map && op.renamedFrom !== undefined) {
          const url = urls.get(op.id) ?? ''
          map = {...map, url, slug: slugFromUrl(url)}
        }
        break
      }

      case 'deleteMap': {
        map = undefined
        break
      }

      case 'createObserver': {
        const url = urls.get(op.id) ?? ''
        const created: RemoteObserver = {...op.observer, slug: slugFromUrl(url), url}
        if (map) map.observers = [...map.observers.filter((o) => o.name !== op.observer.name), created]
        break
      }

      case 'updateObserver': {
        if (map) map.observers = map.observers.map((o) => (o.name === op.from.name ? {...o, ...op.observer} : o))
        break
      }

      case 'deleteObserver': {
        if (map) map.observers = map.observers.filter((o) => o.name !== op.observer.name)
        break
      }

      case 'createObstacle': {
        if (present.add(op.position)) placed.set(positionKey(op.position), {x: op.position.x, y: op.position.y})
        break
      }

      case 'deleteObstacle': {
        if (present.delete(op.position) && !placed.delete(positionKey(op.position))) removed.add(op.position)
        break
      }
    }
  }

  if (!map) return undefined
  map.obstacles = uniquePositions(start).filter((p) => !removed.has(p))
  for (const p of placed.values()) map.obstacles.push(p)
  return map
}

/** The last path segment of a resource URL: the server's slug for it. */
export function slugFromUrl(url: string): string {
  const parts = url.split('/').filter(Boolean)
  return decodeURIComponent(parts.at(-1) ?? '')
}
