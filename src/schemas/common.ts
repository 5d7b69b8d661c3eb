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

export const MAP_ACTIONS = ['create', 'update', 'delete', 'unchanged', 'untracked', 'invalid', 'conflict'] as const
export const OPERATION_KINDS = ['createMap', 'updateMap', 'deleteMap', 'createObserver', 'updateObserver', 'deleteObserver', 'createObstacle', 'deleteObstacle'] as const
export const OUTCOMES = ['applied', 'reconciled', 'unconfirmed', 'failed', 'skipped'] as const
export const VERDICTS = ['confirmed', 'not-applied', 'unconfirmed', 'incomplete'] as const
export const PULL_STATUSES = ['written', 'present', 'skipped', 'failed', 'would-write'] as const

export const planSummary = z.object({
  maps: z.object({create: count, update: count, delete: count, unchanged: count}),
  observers: z.object({create: count, update: count, delete: count}),
  obstacles: z.object({create: count, delete: count}),
})

/** Any JSON value. */
export const json: z.ZodType<unknown> = z.json()
