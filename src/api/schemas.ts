/**
 * The JSON answers of the Gridmap API, checked before anything trusts them. Strict on
 * what the sync computes with (integral coordinates and sizes, vision >= 0 or null),
 * tolerant of keys it does not know (they are dropped).
 */
import {z} from 'zod'

/** A non-negative integer; JSON `6.0` parses to the integer 6 and passes. */
const count = z.int().nonnegative()

/**
 * A slug becomes a segment of the URLs gridsync sends to: "." or ".." there would
 * point to another resource (deleting an observer "..", the whole map).
 */
const slug = z.string().refine((s) => s !== '.' && s !== '..', {message: 'a slug must not be "." or ".." (as a URL segment it names another resource)'})

export const ListingSchema = z.object({
  maps: z.array(
    z.object({
      name: z.string(),
      slug,
      width: count,
      height: count,
    }),
  ),
})

const ObserverFields = {
  name: z.string(),
  slug,
  x: count,
  y: count,
  /** null (or absent from a PUT) means no vision limit. */
  vision: z.number().nonnegative().nullable(),
}

/** A map answer but its obstacles, which parseMap() checks by hand. */
const MapHeadSchema = z.object({
  name: z.string(),
  slug,
  width: count,
  height: count,
  observers: z.array(z.object(ObserverFields)),
})

export const MapSchema = MapHeadSchema.extend({
  obstacles: z.array(z.object({x: count, y: count})),
})

export type MapAnswer = z.output<typeof MapSchema>

/**
 * A map answer checked exactly as MapSchema checks it, without copying the obstacles:
 * a large map has hundreds of thousands, and each one the schema copies is a new
 * object. They are checked by hand instead and kept as JSON.parse made them; one with
 * other keys, or with y before x, is replaced by just {x, y}, in place (`data` is taken
 * over). Any fault runs the whole schema, so that the issues reported are its own.
 */
export function parseMap(data: unknown): z.ZodSafeParseResult<MapAnswer> {
  const head = MapHeadSchema.safeParse(data)
  const obstacles = head.success ? checkedObstacles((data as {obstacles?: unknown}).obstacles) : undefined
  if (head.success && obstacles) return {success: true, data: {...head.data, obstacles}}
  return MapSchema.safeParse(data)
}

/** The list itself when every entry is an {x, y} of counts; undefined otherwise. */
function checkedObstacles(list: unknown): MapAnswer['obstacles'] | undefined {
  if (!Array.isArray(list)) return undefined
  // An indexed loop: entries() would make a pair for each obstacle.
  for (let i = 0; i < list.length; i++) {
    const p: unknown = list[i]
    if (typeof p !== 'object' || p === null || Array.isArray(p)) return undefined
    const {x, y} = p as Record<string, unknown>
    if (!isCount(x) || !isCount(y)) return undefined
    if (!isJustXY(p)) list[i] = {x, y}
  }

  return list as MapAnswer['obstacles']
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
}

const XY = ['x', 'y']

/** Whether an object that has x and y has them in that order, and nothing else: what the schema would make of it. */
function isJustXY(p: object): boolean {
  let n = 0
  for (const key in p) if (key !== XY[n++]) return false
  return true
}

export const ObserverSchema = z.object({
  ...ObserverFields,
  map_name: z.string(),
  map_slug: slug,
})

export const ApiSpecSchema = z.object({
  info: z.object({version: z.string().min(1)}),
})

/** The body of an error answer, when it is JSON. */
export const ErrorBodySchema = z.object({message: z.string()})

/** Zod issues as one line: "maps[0].width: Invalid input: expected int, received number; ...". */
export function describeIssues(error: z.ZodError, max = 3): string {
  const shown = error.issues.slice(0, max).map((issue) => `${issuePath(issue.path)}: ${issue.message}`)
  const more = error.issues.length - shown.length
  return shown.join('; ') + (more > 0 ? `; and ${more} more` : '')
}

function issuePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(the whole answer)'
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('')
}
