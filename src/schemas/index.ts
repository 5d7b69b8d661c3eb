/**
 * Every JSON document and log event gridsync writes, as zod schemas and as the JSON
 * Schemas published in the package's `schemas/` folder (made by the build).
 */
import {z} from 'zod'

import {SCHEMA_VERSION} from '../schema-version.js'
import {ConfigDocument, DiffDocument, ErrorDocument, PullDocument, PushDocument, SyncDocument, ValidateDocument} from './documents.js'
import {EVENTS, LogEvent} from './events.js'

export {ConfigDocument, DiffDocument, ErrorDocument, PullDocument, PushDocument, SyncDocument, ValidateDocument} from './documents.js'
export {type EventSchemaName, EVENTS, LogEvent} from './events.js'

/** The documents of `--json`, by the file name of their JSON Schema. */
export const DOCUMENTS = {
  validate: ValidateDocument,
  diff: DiffDocument,
  push: PushDocument,
  pull: PullDocument,
  sync: SyncDocument,
  config: ConfigDocument,
  error: ErrorDocument,
} as const

/**
 * The JSON Schemas, by path under `schemas/`. They describe a document as this version
 * writes it, and accept keys they do not list: a later version may add fields with the
 * same schemaVersion, and a reader should ignore what it does not know.
 */
export function jsonSchemas(): Record<string, object> {
  const out: Record<string, object> = {}
  const convert = (schema: z.ZodType) => ({...z.toJSONSchema(schema, {io: 'input'}), 'x-gridsync-schema-version': SCHEMA_VERSION})
  for (const [name, schema] of Object.entries(DOCUMENTS)) out[`${name}.schema.json`] = convert(schema)
  out['log-event.schema.json'] = convert(LogEvent)
  for (const [name, schema] of Object.entries(EVENTS)) out[`events/${name}.schema.json`] = convert(schema)
  return out
}
