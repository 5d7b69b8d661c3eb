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

export const MapSchema = z.object({
  name: z.string(),
  slug,
  width: count,
  height: count,
  observers: z.array(z.object(ObserverFields)),
  obstacles: z.array(z.object({x: count, y: count})),
})

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
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('')
}
