/**
 * Grid symbols: which characters may stand for an observer, how to show one in a
 * message, and the fixed order in which the writer hands them out.
 */

const RESERVED = new Set(['.', '#', ','])
const WHITE_SPACE = /^\p{White_Space}$/u
const SINGLE_CODE_POINT = /^[\s\S]$/u
const LONE_SURROGATE = /^\p{Cs}$/u
const VISIBLE = /^[\p{L}\p{N}\p{P}\p{S}]$/u

export function isWhiteSpace(ch: string): boolean {
  return WHITE_SPACE.test(ch)
}

/** True when the grid can hold `ch` as an observer's symbol. */
export function isSymbol(ch: string): boolean {
  return SINGLE_CODE_POINT.test(ch) && !RESERVED.has(ch) && !WHITE_SPACE.test(ch) && !LONE_SURROGATE.test(ch)
}

/** A character as a message shows it: quoted when visible, else by its code point. */
export function showChar(ch: string): string {
  if (ch === '\t') return 'a tab'
  if (ch === ' ') return 'a space'
  if (VISIBLE.test(ch)) return `"${ch}"`
  const cp = ch.codePointAt(0) ?? 0
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`
}

/**
 * Code point ranges searched, in order, for printable symbols once a-z, A-Z and the
 * digits are used up: ASCII punctuation, then Latin-1, Latin Extended-A, Greek and
 * Cyrillic letters and signs (single-width characters that every terminal shows).
 */
const EXTRA_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x21, 0x7e],
  [0xa1, 0xff],
  [0x100, 0x17f],
  [0x370, 0x3ff],
  [0x400, 0x4ff],
]

let sequence: readonly string[] | undefined

/** Every symbol the writer may pick, in the order it picks them. */
export function symbolSequence(): readonly string[] {
  if (sequence) return sequence
  const ordered: string[] = []
  const add = (from: number, to: number): void => {
    for (let cp = from; cp <= to; cp++) ordered.push(String.fromCodePoint(cp))
  }
  add(0x61, 0x7a)
  add(0x41, 0x5a)
  add(0x30, 0x39)
  for (const [from, to] of EXTRA_RANGES) add(from, to)
  sequence = [...new Set(ordered)].filter((ch) => isSymbol(ch) && VISIBLE.test(ch))
  return sequence
}
