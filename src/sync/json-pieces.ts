/** Items of a long array written as one piece. */
const PIECE_ITEMS = 4096

/**
 * The JSON text of a value in pieces, for values too large to hold as one string (a
 * map's hundreds of thousands of obstacles are megabytes of text): a long array goes a
 * slice at a time and a plain object a key at a time; anything else goes whole, as
 * JSON.stringify writes it. Joined, the pieces are exactly JSON.stringify(value).
 */
export function* jsonPieces(value: unknown): Generator<string> {
  if (Array.isArray(value) && value.length > PIECE_ITEMS) {
    for (let i = 0; i < value.length; i += PIECE_ITEMS) {
      const slice = JSON.stringify(value.slice(i, i + PIECE_ITEMS))
      yield `${i === 0 ? '[' : ','}${slice.slice(1, -1)}`
    }

    yield ']'
  } else if (isPlainObject(value)) {
    let opening = '{'
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue
      yield `${opening}${JSON.stringify(key)}:`
      opening = ','
      yield* jsonPieces(item)
    }

    yield opening === '{' ? '{}' : '}'
  } else {
    yield JSON.stringify(value)
  }
}

/** Pieces of text joined into batches of at least `bytes` characters (the last one may be shorter, never empty). */
export function* batched(pieces: Iterable<string>, bytes: number): Generator<string> {
  let batch: string[] = []
  let length = 0
  for (const piece of pieces) {
    batch.push(piece)
    length += piece.length
    if (length < bytes) continue
    yield batch.join('')
    batch = []
    length = 0
  }

  if (length > 0) yield batch.join('')
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const prototype: unknown = Object.getPrototypeOf(value)
  return (prototype === Object.prototype || prototype === null) && !('toJSON' in value)
}
