import {type Position, positionKey} from './types.js'

/** Tiles of the bit grid allowed per position held: past that, the positions are too sparse for it. */
const TILES_PER_POSITION = 64

/**
 * A set of positions, small for what maps hold: one bit per tile of the box spanned by
 * the positions it was made for (a 2,000x2,000 map takes 500 KB, where a Set of "x,y"
 * strings takes tens of MB), and "x,y" keys (`positionKey`) for the rest: positions
 * outside that box, too few and far apart for a grid, or not whole numbers. Two
 * positions are the same member exactly when their keys are equal.
 */
export class PositionSet {
  private readonly bits: Uint8Array
  private readonly width: number
  private readonly height: number
  private others: Set<string> | undefined

  private constructor(width: number, height: number) {
    this.width = width
    this.height = height
    this.bits = new Uint8Array(Math.ceil((width * height) / 8))
  }

  /** The set of the given positions, a repeat held once. */
  static of(positions: readonly Position[]): PositionSet {
    const set = PositionSet.spanning(positions)
    for (const p of positions) set.add(p)
    return set
  }

  /** An empty set whose bit grid covers the given positions when they are dense enough for one. */
  static spanning(positions: readonly Position[]): PositionSet {
    let width = 0
    let height = 0
    for (const p of positions) {
      if (isTile(p.x) && isTile(p.y)) {
        if (p.x >= width) width = p.x + 1
        if (p.y >= height) height = p.y + 1
      }
    }

    return width * height <= TILES_PER_POSITION * positions.length ? new PositionSet(width, height) : new PositionSet(0, 0)
  }

  has(p: Position): boolean {
    const bit = this.bit(p)
    if (bit < 0) return this.others?.has(positionKey(p)) ?? false
    return (this.bits[bit >>> 3]! & (1 << (bit & 7))) !== 0
  }

  /** Adds a position; false when it was already there. */
  add(p: Position): boolean {
    const bit = this.bit(p)
    if (bit < 0) {
      const key = positionKey(p)
      this.others ??= new Set()
      if (this.others.has(key)) return false
      this.others.add(key)
      return true
    }

    const mask = 1 << (bit & 7)
    const byte = bit >>> 3
    if ((this.bits[byte]! & mask) !== 0) return false
    this.bits[byte]! |= mask
    return true
  }

  /** Removes a position; false when it was not there. */
  delete(p: Position): boolean {
    const bit = this.bit(p)
    if (bit < 0) return this.others?.delete(positionKey(p)) ?? false
    const mask = 1 << (bit & 7)
    const byte = bit >>> 3
    if ((this.bits[byte]! & mask) === 0) return false
    this.bits[byte]! &= ~mask
    return true
  }

  /** Index of the position's bit, or -1 when it lies outside the grid. */
  private bit(p: Position): number {
    const {x, y} = p
    if (!isTile(x) || !isTile(y) || x >= this.width || y >= this.height) return -1
    return y * this.width + x
  }
}

/** Positions with repeats removed, the first of each kept, in their order (the same objects, not copies). */
export function uniquePositions(positions: readonly Position[]): Position[] {
  const seen = PositionSet.spanning(positions)
  return positions.filter((p) => seen.add(p))
}

/** The positions that `others` lacks, a repeat once, in their order (the same objects, not copies). */
export function positionsNotIn(positions: readonly Position[], others: readonly Position[]): Position[] {
  const there = PositionSet.of(others)
  const seen = PositionSet.spanning(positions)
  return positions.filter((p) => seen.add(p) && !there.has(p))
}

/**
 * Visits the keys of the positions (`positionKey`, a repeat as often as it occurs) in
 * the order the strings sort in, without making them all first: each coordinate value
 * is ranked once by its text, and the positions are sorted by their two ranks as
 * numbers. The ranks' product stays under the count squared, exact as a double for
 * any list that fits in memory.
 */
export function visitKeysInTextOrder(positions: readonly Position[], visit: (key: string) => void): void {
  const xs = textRanks(positions, 'x')
  const ys = textRanks(positions, 'y')
  const ny = ys.texts.length
  const order = new Float64Array(positions.length)
  // An indexed loop: entries() would make a pair for each position.
  for (let i = 0; i < positions.length; i++) order[i] = xs.ranks.get(positions[i]!.x)! * ny + ys.ranks.get(positions[i]!.y)!
  order.sort()
  for (const k of order) {
    const rx = Math.floor(k / ny)
    visit(`${xs.texts[rx]},${ys.texts[k - rx * ny]}`)
  }
}

/** The distinct values of one coordinate as text, sorted, and the rank of each value. */
function textRanks(positions: readonly Position[], axis: 'x' | 'y'): {texts: string[]; ranks: Map<number, number>} {
  const values = new Set<number>()
  for (const p of positions) values.add(p[axis])
  const sorted = [...values].map((v) => ({v, text: String(v)})).sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0))
  return {texts: sorted.map((e) => e.text), ranks: new Map(sorted.map((e, i) => [e.v, i]))}
}

/** A whole number from 0 on: a position that can sit on a bit grid. */
function isTile(n: number): boolean {
  return Number.isInteger(n) && n >= 0
}
