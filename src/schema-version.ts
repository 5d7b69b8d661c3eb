/**
 * The version of every JSON document gridsync prints (`--json` of validate, diff, push,
 * pull and config) and of its log events. New fields may appear without a change; it
 * goes up when a field is removed or changes its meaning. The JSON Schemas are in
 * `schemas/`, made from src/schemas/.
 */
export const SCHEMA_VERSION = 1
