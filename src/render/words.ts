import type {Observer, Position} from '../model/types.js'
import type {Operation} from '../sync/plan-types.js'
import {visionText} from '../sync/plan.js'
import type {Evidence} from '../sync/knowledge.js'
import {clock} from '../sync/clock.js'

/** Small wording helpers shared by the renderers. */

/** `1 map`, `2 maps`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`
}

/** `is` for one, `are` for any other number. */
export function isAre(n: number): string {
  return n === 1 ? 'is' : 'are'
}

export function at(p: Position): string {
  return `(${p.x},${p.y})`
}

export function sizeText(s: {width: number; height: number}): string {
  return `${s.width}x${s.height}`
}

/** `(1,2), vision 6` */
export function placement(o: Observer): string {
  return `${at(o)}, vision ${visionText(o.vision)}`
}

/**
 * Signed counts with the zero ones left out: `+1 ~2 -1`, `+3`; empty when all are zero.
 * Entries are [sign, n].
 */
export function signedCounts(entries: ReadonlyArray<readonly [string, number]>): string {
  return entries
    .filter(([, n]) => n !== 0)
    .map(([sign, n]) => `${sign}${n}`)
    .join(' ')
}

/** What an operation does to which object, without its map: `create obstacle (3,4)`. */
export function describeOp(op: Operation): string {
  switch (op.kind) {
    case 'createMap':
      return `create map ${sizeText(op.body)}`
    case 'updateMap':
      return `resize map ${sizeText(op.from)} -> ${sizeText(op.body)}`
    case 'deleteMap':
      return 'delete map'
    case 'createObserver':
      return `create observer "${op.observer.name}" at ${placement(op.observer)}`
    case 'updateObserver':
      return `update observer "${op.observer.name}" to ${placement(op.observer)}`
    case 'deleteObserver':
      return `delete observer "${op.observer.name}"`
    case 'createObstacle':
      return `create obstacle ${at(op.position)}`
    case 'deleteObstacle':
      return `delete obstacle ${at(op.position)}`
  }
}

/** The sign of an operation as in the plan: `+` create, `~` update, `-` delete. */
export function opSign(op: Operation): '+' | '~' | '-' {
  if (op.kind.startsWith('create')) return '+'
  if (op.kind.startsWith('update')) return '~'
  return '-'
}

/** Lines listed before the rest is summed up in one line, unless everything is asked for. */
export const LIST_LIMIT = 20

/** The first LIST_LIMIT lines (all when `all`), then `... and N more <what>`. */
export function limitList(lines: string[], all: boolean | undefined, what: string, hint: (s: string) => string): string[] {
  if (all || lines.length <= LIST_LIMIT) return lines
  const rest = lines.length - LIST_LIMIT
  return [...lines.slice(0, LIST_LIMIT), hint(`... and ${rest} more ${what} (--verbose lists all)`)]
}

/** Said of a map whose remote state came from the journal rather than a server read. */
/** Said of a map whose state is taken from gridsync's own writes while the server's answers cannot show them. */
export function assumedNote(e: Evidence): string {
  return `server state assumed from gridsync's own writes at ${clock(e.wroteAt ?? e.at)}: the server's answer does not show them, and may be a cached one until ${clock(e.until ?? e.at)}`
}

/** What the evidence behind a map's state is, in a few words, for reports. */
export function evidenceText(e: Evidence): string {
  switch (e.kind) {
    case 'read': {
      const listing = e.listed ? '' : "; the server's listing does not show it yet (a cached answer)"
      return `read at ${clock(e.at)}${listing}`
    }

    case 'writes':
      return assumedNote(e)
    case 'gone':
      return `its URL answered 404 at ${clock(e.at)}${e.listed ? " (the server's listing still shows it: a cached answer)" : ''}`
    case 'unlisted':
      return `not in the server's listing at ${clock(e.at)}`
    case 'listing':
      return `in the server's listing at ${clock(e.at)}`
  }
}
