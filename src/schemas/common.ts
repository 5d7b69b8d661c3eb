/**
 * Pieces shared by the schemas of gridsync's JSON documents and log events. Each
 * document is a z.object whose keys are listed once: a field is added with one line.
 * These modules load zod and are never imported by a command: the build turns them into
 * the JSON Schemas of `schemas/`, and the tests check real output against them.
 */
import {z} from 'zod'

import {SCHEMA_VERSION} from '../schema-version.js'

export const schemaVersion = z.literal(SCHEMA_VERSION).describe('Version of the document format; it changes only when a field is removed or changes meaning.')

export const count = z.int().min(0)
export const position = z.object({x: count, y: count})
export const size = z.object({width: count, height: count})
export const observer = z.object({
  name: z.string(),
  x: count,
  y: count,
  vision: z.number().min(0).nullable().describe('null: no limit'),
})

export const MAP_ACTIONS = ['create', 'update', 'delete', 'rebuild', 'rename', 'unchanged', 'untracked', 'invalid', 'conflict'] as const
export const OPERATION_KINDS = ['createMap', 'updateMap', 'deleteMap', 'createObserver', 'updateObserver', 'deleteObserver', 'createObstacle', 'deleteObstacle'] as const
export const OUTCOMES = ['applied', 'reconciled', 'unconfirmed', 'failed', 'skipped'] as const
export const VERDICTS = ['confirmed', 'not-applied', 'unconfirmed', 'incomplete', 'conflict'] as const
export const PULL_STATUSES = ['written', 'present', 'skipped', 'failed', 'would-write'] as const

export const planSummary = z.object({
  maps: z.object({create: count, update: count, delete: count, unchanged: count, rebuild: count, rename: count}),
  observers: z.object({create: count, update: count, delete: count}),
  obstacles: z.object({create: count, delete: count}),
})

export const exitCode = z.int().min(0).describe("The run's exit code (see the exit-code table)")

/** What a claim about a map rests on (see "How gridsync knows" in the README). */
export const evidence = z
  .object({
    kind: z
      .enum(['read', 'writes', 'gone', 'unlisted', 'listing'])
      .describe(
        "read: a trusted answer of the map's URL; writes: its answer cannot show gridsync's writes yet, their state stands in; gone: its URL answered 404; unlisted/listing: only the listing",
      ),
    at: z.iso.datetime().describe('When the answer behind it was asked for'),
    trust: z.enum(['shows-own-writes', 'older-than-cache', 'no-own-writes']).nullable().describe('Why a read is trusted'),
    until: z.iso
      .datetime()
      .nullable()
      .describe(
        "Until when the server's answers cannot show gridsync's writes: the map's body (kind writes), or the listing, which may then miss a map whose create lost its answer (kind unlisted)",
      ),
    listed: z.boolean().describe("Whether the server's listing shows the map"),
    wroteAt: z.iso.datetime().nullable().describe('When gridsync last wrote to the map'),
  })
  .describe('The evidence behind what is said of the map')

/** Any JSON value. */
export const json: z.ZodType<unknown> = z.json()
