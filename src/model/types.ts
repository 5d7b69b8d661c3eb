/**
 * The shared vocabulary: maps, observers and obstacles, as read from a file
 * (LocalMap) or from the API (RemoteMap). Every other module speaks in these terms.
 */

export interface Position {
  x: number
  y: number
}

export interface Observer extends Position {
  name: string
  /** null: no vision limit. */
  vision: number | null
}

/** The content of a map, wherever it came from. */
export interface GridMap {
  name: string
  width: number
  height: number
  observers: Observer[]
  /** Obstacle positions. In a LocalMap a set (no repeats); a RemoteMap may repeat one. */
  obstacles: Position[]
}

export interface LocalObserver extends Observer {
  /** The grid character that stands for this observer in the file. */
  symbol: string
}

/** A map read from a file in the maps directory. */
export interface LocalMap extends GridMap {
  /** Path of the file it was read from. */
  file: string
  observers: LocalObserver[]
}

/** A map in the server's listing, without contents. */
export interface RemoteMapSummary {
  name: string
  slug: string
  width: number
  height: number
  /** Absolute URL of the map resource, built from the server's slug. */
  url: string
}

export interface RemoteObserver extends Observer {
  slug: string
  /** Absolute URL of the observer resource. */
  url: string
}

/** A map read from the API, with contents. */
export interface RemoteMap extends GridMap {
  slug: string
  url: string
  observers: RemoteObserver[]
}

/** Key of a position for sets and maps: "x,y". */
export function positionKey(p: Position): string {
  return `${p.x},${p.y}`
}

/** Length of a name as the API counts it: in code points. */
export function codePointLength(s: string): number {
  let n = 0
  for (const _ of s) n++
  return n
}

export const MAX_NAME_LENGTH = 32
