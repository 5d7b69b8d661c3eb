import {codePointLength, MAX_NAME_LENGTH, type Position} from '../model/types.js'
import {ApiError} from './reply.js'
import type {MapInput, ObserverInput} from './store.js'

/**
 * Request bodies, checked as the reference server checks them: a JSON content type
 * (else 415), parseable JSON (else 400), not empty (`{}`, `[]`, `null` and other falsy
 * values: 415), then the schema (400). Unknown keys are ignored.
 */

type Body = Record<string, unknown>

function isJsonType(contentType: string | undefined): boolean {
  const mime = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  return mime === 'application/json' || /^application\/[^/]+\+json$/.test(mime)
}

function isFalsy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length === 0
  if (value !== null && typeof value === 'object') return Object.keys(value).length === 0
  return !value
}

export function parseJsonBody(contentType: string | undefined, raw: Buffer): Body {
  if (!isJsonType(contentType)) throw new ApiError(415, 'The request body must be JSON, sent as application/json')
  let value: unknown
  try {
    value = JSON.parse(raw.toString('utf8'))
  } catch (err) {
    throw new ApiError(400, `The request body is not valid JSON: ${(err as Error).message}`)
  }
  if (isFalsy(value)) throw new ApiError(415, 'The request body is empty')
  if (typeof value !== 'object' || Array.isArray(value)) throw new ApiError(400, 'The request body must be a JSON object')
  return value as Body
}

function required(body: Body, key: string): unknown {
  if (!Object.hasOwn(body, key)) throw new ApiError(400, `'${key}' is required`)
  return body[key]
}

function name(body: Body): string {
  const value = required(body, 'name')
  if (typeof value !== 'string') throw new ApiError(400, `'name' must be a string`)
  const length = codePointLength(value)
  if (length < 1 || length > MAX_NAME_LENGTH) {
    throw new ApiError(400, `'name' must be 1 to ${MAX_NAME_LENGTH} characters long, not ${length}`)
  }
  return value
}

function integer(body: Body, key: string, min?: number): number {
  const value = required(body, key)
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new ApiError(400, `'${key}' must be an integer`)
  if (min !== undefined && value < min) throw new ApiError(400, `'${key}' must be at least ${min}`)
  return value
}

/** Absent means no limit; present it must be a non-negative number (null is refused). */
function vision(body: Body): number | null {
  if (!Object.hasOwn(body, 'vision')) return null
  const value = body.vision
  if (typeof value !== 'number' || value < 0) {
    throw new ApiError(400, `'vision' must be a non-negative number; leave it out for no limit`)
  }
  return value
}

export function mapInput(body: Body): MapInput {
  return {name: name(body), width: integer(body, 'width', 1), height: integer(body, 'height', 1)}
}

/** x and y are checked against the map by the store ("... is outside map"). */
export function observerInput(body: Body): ObserverInput {
  return {name: name(body), x: integer(body, 'x'), y: integer(body, 'y'), vision: vision(body)}
}

export function obstacleInput(body: Body): Position {
  return {x: integer(body, 'x'), y: integer(body, 'y')}
}
