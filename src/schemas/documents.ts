/** The documents of `--json`: one per command, and the one every command prints when an error stops it. */
import {z} from 'zod'

import {count, evidence, exitCode, json, MAP_ACTIONS, observer, OPERATION_KINDS, OUTCOMES, planSummary, position, PULL_STATUSES, schemaVersion, size, VERDICTS} from './common.js'

const diagnostic = z.object({file: z.string(), line: z.int().min(1), column: z.int().min(1), message: z.string()})

export const ValidateDocument = z
  .object({
    schemaVersion,
    exitCode,
    files: z.array(
      z.object({
        file: z.string(),
        valid: z.boolean(),
        name: z.string().optional().describe("The map's name, when the file is readable that far"),
        diagnostics: z.array(diagnostic),
      }),
    ),
    skipped: z.array(z.object({file: z.string(), reason: z.string()})).describe('Other entries of the maps directory, not read as maps, and why'),
    summary: z.object({files: count, valid: count, invalid: count, problems: count}),
  })
  .meta({title: 'gridsync validate --json', description: 'Every map file checked, with its problems as path:line:column.'})

const mapPlan = z.object({
  name: z.string(),
  action: z.enum(MAP_ACTIONS),
  file: z.string().optional(),
  url: z.string().optional(),
  renamedFrom: z.string().optional().describe('Action rename: the name the map has on the server, last pushed from this file'),
  evidence: evidence.optional(),
  conflicts: z
    .array(z.object({object: z.string(), known: z.string().nullable(), server: z.string().nullable()}))
    .optional()
    .describe('Changes someone else made: each object as gridsync last knew it and as the server holds it (null: absent)'),
  refuted: z.array(z.string()).optional().describe('Deletes the server acknowledged but did not carry out, still wanted by the file'),
  resize: z.object({from: size, to: size}).optional(),
  changes: z.object({
    observers: z.object({create: z.array(observer), update: z.array(z.object({from: observer, to: observer})), delete: z.array(observer)}),
    obstacles: z.object({create: z.array(position), delete: z.array(position)}),
  }),
  notes: z.array(z.string()),
})

const operationHead = {
  id: count,
  phase: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  map: z.string(),
  reason: z.string(),
  dependsOn: z.array(count),
}
const mapBody = z.object({name: z.string(), width: count, height: count})
const operation = z.discriminatedUnion('kind', [
  z.object({...operationHead, kind: z.literal('createMap'), body: mapBody}),
  z.object({...operationHead, kind: z.literal('updateMap'), body: mapBody, from: size, renamedFrom: z.string().optional().describe('A rename: the name the map had before')}),
  z.object({...operationHead, kind: z.literal('deleteMap')}),
  z.object({...operationHead, kind: z.literal('createObserver'), observer}),
  z.object({...operationHead, kind: z.literal('updateObserver'), observer, from: observer}),
  z.object({...operationHead, kind: z.literal('deleteObserver'), observer}),
  z.object({...operationHead, kind: z.literal('createObstacle'), position}),
  z.object({...operationHead, kind: z.literal('deleteObstacle'), position}),
])

const planFields = {
  schemaVersion,
  exitCode,
  server: z.string(),
  summary: planSummary,
  maps: z.array(mapPlan),
  operations: z.array(operation),
  warnings: z.array(z.string()),
}

export const DiffDocument = z
  .object(planFields)
  .meta({title: 'gridsync diff --json', description: 'The plan: what a push would do, map by map, and every operation with its phase, dependencies and reason.'})

export const PushDocument = z
  .object({
    ...planFields,
    apply: z.object({
      counts: z.object(Object.fromEntries(OUTCOMES.map((o) => [o, count])) as Record<(typeof OUTCOMES)[number], typeof count>),
      results: z.array(
        z.object({
          id: count,
          kind: z.enum(OPERATION_KINDS),
          map: z.string(),
          outcome: z.enum(OUTCOMES),
          detail: z.string().optional(),
          status: z.int().optional().describe('HTTP status of the final answer, when there was one'),
          durationMs: z.number().min(0),
        }),
      ),
    }),
    verification: z
      .object({
        skipped: z.boolean(),
        maps: z.array(z.object({name: z.string(), verdict: z.enum(VERDICTS), differences: z.array(z.string()), advice: z.string().optional(), evidence: evidence.optional()})),
      })
      .optional(),
    stopped: z
      .object({reason: z.string(), exitCode, sent: count, notSent: count})
      .optional()
      .describe('Set when the push stopped sending early: the server stopped answering, or a signal'),
  })
  .meta({title: 'gridsync push --json', description: 'The plan, what was applied (each operation with its outcome), and the verdict of reading each touched map back.'})

export const PullDocument = z
  .object({
    schemaVersion,
    exitCode,
    server: z.string(),
    mapsDir: z.string(),
    dryRun: z.boolean(),
    maps: z.array(z.object({name: z.string(), status: z.enum(PULL_STATUSES), file: z.string().optional(), backup: z.string().optional(), reason: z.string().optional()})),
    summary: z.object({written: count, present: count, skipped: count, failed: count, wouldWrite: count}),
    backupDir: z.string().optional(),
    removedTempFiles: z.array(z.string()),
    warnings: z.array(z.string()),
  })
  .meta({title: 'gridsync pull --json', description: 'Every map on the server and what became of it in the maps directory.'})

const objectState = z
  .object({key: z.string(), what: z.string(), base: z.string().nullable(), file: z.string().nullable(), server: z.string().nullable()})
  .describe('One object (size, an observer, an obstacle, or the map itself) with its value in the base, the file and on the server; null: absent')
const pushHalf = PushDocument.shape

export const SyncDocument = z
  .object({
    schemaVersion,
    exitCode,
    server: z.string(),
    dryRun: z.boolean(),
    summary: z.object({toServer: count, toFile: count, conflicts: count}),
    maps: z.array(
      z.object({
        name: z.string(),
        action: z.enum(['in-sync', 'merge', 'create-on-server', 'create-file', 'delete-on-server', 'delete-file', 'conflict', 'invalid', 'unknown']),
        file: z.string().optional(),
        renamedFrom: z.string().optional().describe("The map's name before it was renamed since the last sync (in its file, or on the server): renamed on the other side too"),
        renamedOn: z.enum(['file', 'server']).optional().describe('Where the rename was made (with renamedFrom)'),
        toServer: z.array(objectState),
        toFile: z.array(objectState),
        conflicts: z.array(objectState),
        held: z
          .array(objectState)
          .describe(
            "Objects the server's answer cannot be trusted on yet (it came within the cache time after gridsync's writes and shows them otherwise): both sides keep their value; server: what it answered",
          ),
        notes: z.array(z.string()),
      }),
    ),
    files: z.array(
      z.object({
        name: z.string(),
        file: z.string(),
        status: z.enum(['written', 'created', 'moved', 'skipped', 'failed']),
        backup: z.string().optional(),
        reason: z.string().optional(),
      }),
    ),
    operations: pushHalf.operations,
    apply: pushHalf.apply.optional(),
    verification: pushHalf.verification,
    warnings: z.array(z.string()),
  })
  .meta({
    title: 'gridsync sync --json',
    description: 'Both directions of a sync, map by map and object by object, with the conflicts, the files written and what was sent to the server.',
  })

const source = z.discriminatedUnion('kind', [
  z.object({kind: z.literal('flag'), flag: z.string()}),
  z.object({kind: z.literal('env'), variable: z.string()}),
  z.object({kind: z.literal('dotenv'), file: z.string(), variable: z.string()}),
  z.object({kind: z.literal('config'), file: z.string(), key: z.string()}),
  z.object({kind: z.literal('default')}),
])

export const ConfigDocument = z
  .object({
    schemaVersion,
    command: z.string(),
    files: z.object({dotenv: z.string().nullable(), config: z.object({path: z.string(), source, found: z.boolean()})}),
    settings: z.record(z.string(), z.object({value: json, source, hidden: z.literal(true).optional().describe('a secret: only whether it is set (or the header names) is shown')})),
    proxy: z
      .object({
        url: z.string().nullable().describe('The proxy in use, credentials hidden; null when the server is reached directly'),
        variable: z.string().nullable(),
        bypassedBy: z.string().nullable().describe('NO_PROXY (as set) when it names the server'),
      })
      .nullable()
      .describe('null for a command that reaches no server'),
  })
  .meta({title: 'gridsync config --json', description: 'Every setting of a command with its effective value and where it came from, secrets hidden.'})

export const ErrorDocument = z
  .object({
    status: z.literal('error'),
    exitCode: z.int().min(1),
    error: z.object({code: z.string(), message: z.string()}),
  })
  .meta({title: 'gridsync --json, stopped by an error', description: 'What any command prints with --json when an error stops it before its own document.'})
