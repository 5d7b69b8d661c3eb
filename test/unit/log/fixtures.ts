import {type EventBody, Logger, type LogEvent} from '../../../src/log/index.js'
import type {Operation} from '../../../src/sync/plan-types.js'
import type {OpResult} from '../../../src/sync/result-types.js'

export const TIME = '2026-11-22T19:00:00.000Z'
export const T0 = Date.parse(TIME)

/** An event as the logger stamps it, at TIME, for `push`. */
export function stamped(body: EventBody, command = 'push'): LogEvent {
  return new Logger({command, routes: [], now: () => T0}).emit(body)
}

const base = {map: 'Fancy Map', phase: 3 as const, dependsOn: [], reason: 'r'}

/** One operation of each kind, ids 0 to 7. */
export const OPS: Operation[] = [
  {...base, id: 0, phase: 2, kind: 'createMap', body: {name: 'Fancy Map', width: 12, height: 6}},
  {...base, id: 1, phase: 2, kind: 'updateMap', body: {name: 'Fancy Map', width: 14, height: 6}, from: {width: 12, height: 6}},
  {...base, id: 2, phase: 1, kind: 'deleteMap'},
  {...base, id: 3, kind: 'createObserver', observer: {name: 'Fancy Observer A', x: 1, y: 1, vision: 6}},
  {
    ...base,
    id: 4,
    kind: 'updateObserver',
    observer: {name: 'Fancy Observer B', x: 2, y: 2, vision: 8},
    from: {name: 'Fancy Observer B', x: 2, y: 2, vision: 6, slug: 'fancy-observer-b', url: 'http://127.0.0.1:1/api/maps/fancy-map/observers/fancy-observer-b/'},
  },
  {
    ...base,
    id: 5,
    phase: 1,
    kind: 'deleteObserver',
    observer: {name: 'Fancy Observer D', x: 10, y: 4, vision: 6, slug: 'fancy-observer-d', url: 'http://127.0.0.1:1/api/maps/fancy-map/observers/fancy-observer-d/'},
  },
  {...base, id: 6, kind: 'createObstacle', position: {x: 3, y: 4}},
  {...base, id: 7, kind: 'deleteObstacle', position: {x: 4, y: 5}},
]

export function result(op: Operation, rest: Partial<Omit<OpResult, 'op'>> = {}): OpResult {
  return {op, outcome: 'applied', durationMs: 12, ...rest}
}

/** Every line of a text, without the empty one after the final newline. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1)
}
