import {type GridMap, positionKey} from '../../src/model/types.js'

/** The course material's "Fancy Map", as a file. */
export const FANCY = `Fancy Map
............
.a...##...b.
.....#......
........####
.c........d.
....##......
a,Fancy Observer A,6
b,Fancy Observer B,6
c,Fancy Observer C,6
d,Fancy Observer D,6
`

/** A small map with an observer without vision. */
export const SMALL = `Small
a.#
.#b
a,Small One,2
b,Small Two
`

/** Order-free content of a map, repeated obstacles collapsed, for comparing maps from anywhere. */
export function content(m: GridMap | undefined) {
  if (!m) return undefined
  return {
    name: m.name,
    width: m.width,
    height: m.height,
    observers: m.observers.map((o) => `${o.name}@${o.x},${o.y}/${o.vision}`).sort(),
    obstacles: [...new Set(m.obstacles.map(positionKey))].sort(),
  }
}
