/** The events of a run's log (`--log-format json`, `--log-file`): one JSON object per line. */
import {z} from 'zod'

import {count, OPERATION_KINDS, OUTCOMES, planSummary, PULL_STATUSES, VERDICTS} from './common.js'

/** The keys every event starts with, in this order. */
function event<Name extends string, Shape extends z.ZodRawShape>(name: Name, description: string, shape: Shape) {
  return z
    .object({
      time: z.iso.datetime().describe('When it happened, UTC'),
      level: z.enum(['info', 'warn', 'error']),
      event: z.literal(name),
      command: z.string(),
      ...shape,
    })
    .meta({title: `gridsync log event "${name}"`, description})
}

export const EVENTS = {
  'run-start': event('run-start', 'A run began.', {
    version: z.string(),
    server: z.string().nullable().describe('The server as configured, credentials removed; null for commands that use none'),
    mapsDir: z.string().nullable(),
    pid: z.int().min(1),
  }),
  plan: event('plan', 'The plan of a diff or push.', {summary: planSummary, operations: count, invalidFiles: count, conflicts: count}),
  operation: event('operation', 'One operation of a push, once it ended.', {
    id: count,
    kind: z.enum(OPERATION_KINDS),
    map: z.string(),
    object: z.string().nullable().describe('The observer\'s name or the obstacle\'s "x,y"; null for operations on the map itself'),
    outcome: z.enum(OUTCOMES),
    status: z.int().nullable(),
    detail: z.string().nullable(),
    durationMs: z.number().min(0),
  }),
  verify: event('verify', 'The verdict on a map: from reading it back, or from what planning learnt of it.', {
    map: z.string(),
    verdict: z.enum(VERDICTS),
    differences: z.array(z.string()),
    advice: z.string().nullable(),
    evidence: z.string().nullable().describe('The kind of evidence behind the verdict (read, writes, gone, ...)'),
    evidenceAt: z.iso.datetime().nullable().describe('When it was taken'),
    until: z.iso.datetime().nullable().describe("Until when the server's answers cannot show gridsync's writes"),
  }),
  'invalid-file': event('invalid-file', 'A map file that is not valid; its map is left alone.', {
    file: z.string(),
    map: z.string().nullable(),
    problems: z.array(z.string()).describe('Each as path:line:column: message'),
  }),
  conflict: event('conflict', 'A map someone else changed on the server, left alone.', {map: z.string(), detail: z.string()}),
  'pull-map': event('pull-map', 'What a pull did with one map.', {
    name: z.string(),
    status: z.enum(PULL_STATUSES),
    file: z.string().nullable(),
    backup: z.string().nullable(),
    reason: z.string().nullable(),
  }),
  warning: event('warning', 'A warning for people.', {message: z.string()}),
  error: event('error', 'The error that stopped the run.', {message: z.string(), exitCode: z.int().min(1)}),
  'run-end': event('run-end', 'The last event of every run.', {
    exitCode: z.int().min(0),
    durationMs: z.number().min(0),
    counts: z.record(z.string(), count).describe("The command's tallies, e.g. applied, failed... for push"),
    summary: z.string(),
  }),
  request: event('request', 'One HTTP attempt: each one that got an error status or no answer, and every one when requests are traced (--verbose twice, or DEBUG=gridsync:http).', {
    method: z.string(),
    url: z.string(),
    status: z.int().nullable(),
    error: z.string().nullable(),
    durationMs: z.number().min(0),
    attempt: z.int().min(1),
  }),
} as const

export type EventSchemaName = keyof typeof EVENTS

export const LogEvent = z
  .discriminatedUnion('event', Object.values(EVENTS) as unknown as [(typeof EVENTS)['run-start'], ...Array<(typeof EVENTS)[EventSchemaName]>])
  .meta({title: 'gridsync log event', description: 'One line of an NDJSON log: any of the event types.'})
