import {z} from 'zod'

import {JOURNAL_FORMAT} from './journal.js'

/**
 * The journal's line format, checked as each line is read (loaded only then: zod is not
 * needed at start). Lines carry `v`, the format version (JOURNAL_FORMAT); lines without it were written by releases before versioning (format 1), and
 * are still read. A line of a newer format is refused: this release cannot know what it
 * means.
 */

const count = z.number().int().nonnegative()
const time = z.string().min(1)
const position = z.object({x: count, y: count})
const observer = z.object({name: z.string(), x: count, y: count, vision: z.number().nonnegative().nullable()})
const remoteObserver = observer.extend({slug: z.string(), url: z.string()})
const size = z.object({width: count, height: count})
const body = size.extend({name: z.string()})
const remoteMap = body.extend({slug: z.string(), url: z.string(), observers: z.array(remoteObserver), obstacles: z.array(position)})

const opBase = {id: count, map: z.string(), phase: z.union([z.literal(1), z.literal(2), z.literal(3)]), dependsOn: z.array(count), reason: z.string()}
const operation = z.discriminatedUnion('kind', [
  z.object({...opBase, kind: z.literal('createMap'), body}),
  z.object({...opBase, kind: z.literal('updateMap'), body, from: size, renamedFrom: z.string().optional()}),
  z.object({...opBase, kind: z.literal('deleteMap')}),
  z.object({...opBase, kind: z.literal('createObserver'), observer}),
  z.object({...opBase, kind: z.literal('updateObserver'), observer, from: remoteObserver}),
  z.object({...opBase, kind: z.literal('deleteObserver'), observer: remoteObserver}),
  z.object({...opBase, kind: z.literal('createObstacle'), position}),
  z.object({...opBase, kind: z.literal('deleteObstacle'), position}),
])

const write = z.object({op: operation, state: z.enum(['acknowledged', 'uncertain'])})
const outcome = z.enum(['applied', 'reconciled', 'unconfirmed', 'failed', 'skipped'])
const verdict = z.enum(['confirmed', 'not-applied', 'unconfirmed', 'incomplete', 'conflict'])

const record = z.object({
  url: z.string(),
  before: z.string().nullable(),
  after: remoteMap.nullable(),
  at: time,
  /** Format 1 had no write time: its `at` (when the writes ended) stands in. */
  wroteAt: time.nullable().optional(),
  refuted: z.array(operation).optional(),
  run: z.string(),
  writes: z.array(write),
  file: z.string().optional(),
})

const version = {v: z.literal(JOURNAL_FORMAT).optional()}
export const journalEvent = z.discriminatedUnion('t', [
  z.object({...version, t: z.literal('run'), run: z.string(), server: z.string(), command: z.string(), at: time, pid: z.number().int()}),
  z.object({
    ...version,
    t: z.literal('map'),
    run: z.string(),
    map: z.string(),
    url: z.string(),
    before: z.string().nullable(),
    base: remoteMap.nullable(),
    carry: z.array(write).optional(),
    refuted: z.array(operation).optional(),
    wroteAt: time.nullable().optional(),
    /** The map file it was pushed from, relative to the maps directory (added within format 2: older lines lack it). */
    file: z.string().optional(),
    at: time,
  }),
  z.object({...version, t: z.literal('send'), run: z.string(), op: operation, at: time.optional()}),
  z.object({...version, t: z.literal('ack'), run: z.string(), id: count, outcome, url: z.string().optional(), at: time}),
  z.object({...version, t: z.literal('verify'), run: z.string(), map: z.string(), verdict, differences: z.array(z.string()), at: time.optional()}),
  z.object({...version, t: z.literal('end'), run: z.string(), exitCode: z.number().int(), at: time}),
  z.object({...version, t: z.literal('record'), server: z.string(), map: z.string(), record}),
])

export type JournalEvent = z.infer<typeof journalEvent>

/** Checks one parsed line: the event, or why it cannot be used. */
export function checkEvent(value: unknown): {event: JournalEvent} | {problem: string} {
  const v = (value as {v?: unknown} | null)?.v
  if (typeof v === 'number' && v > JOURNAL_FORMAT) {
    return {problem: `written in journal format ${v} by a newer gridsync; this one reads formats 1 to ${JOURNAL_FORMAT}`}
  }

  const checked = journalEvent.safeParse(value)
  if (checked.success) return {event: checked.data}
  const issue = checked.error.issues[0]!
  const where = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : ''
  return {problem: `not a journal event${where}: ${issue.message}`}
}
