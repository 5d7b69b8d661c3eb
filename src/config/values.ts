/**
 * Checking setting values against the flags they set, with zod: the same schema for a
 * configuration file's JSON values and for environment and .env text once converted.
 * Loaded only when some layer below the command line holds a value.
 */
import {z} from 'zod'

import {COMMAND_LINE_ONLY, CONFIG_FLAG, commandLineOnlyProblem, isIntegerFlag, isPathFlag, isSetting} from './rules.js'
import type {FlagShape} from './types.js'

/** What a setting accepts, as the end of a sentence: "must be a whole number from 1 to 64". */
export function expectation(shape: FlagShape): string {
  if (shape.type === 'boolean') return 'must be true or false'
  const one = singleExpectation(shape)
  if (!shape.multiple) return one
  return one === 'must be a string' ? 'must be a list of strings' : `must be a list, each item of which ${one}`
}

function singleExpectation(shape: FlagShape): string {
  if (shape.options) return `must be one of ${shape.options.map((o) => JSON.stringify(o)).join(', ')}`
  if (isIntegerFlag(shape)) {
    const {min, max} = shape
    if (min !== undefined && max !== undefined) return `must be a whole number from ${min} to ${max}`
    if (min !== undefined) return `must be a whole number of at least ${min}`
    if (max !== undefined) return `must be a whole number of at most ${max}`
    return 'must be a whole number'
  }

  return isPathFlag(shape) ? 'must be a path (a non-empty string)' : 'must be a string'
}

function singleSchema(shape: FlagShape): z.ZodType<unknown> {
  if (shape.options) return z.enum(shape.options as [string, ...string[]])
  if (isIntegerFlag(shape)) {
    let schema = z.int()
    if (shape.min !== undefined) schema = schema.min(shape.min)
    if (shape.max !== undefined) schema = schema.max(shape.max)
    return schema
  }

  // A number is taken for a plain string flag ("max-delete": 5), as the command line would.
  return isPathFlag(shape) ? z.string().min(1) : z.union([z.string(), z.number().transform(String)])
}

function settingSchema(shape: FlagShape): z.ZodType<unknown> {
  if (shape.type === 'boolean') return z.boolean()
  return shape.multiple ? z.array(singleSchema(shape)) : singleSchema(shape)
}

export interface CheckedFile {
  /** The settings of the file, of the right types (paths not yet resolved). */
  values: Record<string, unknown>
  /** One line per wrong key, naming the file and the key; empty when the file is right. */
  problems: string[]
}

/**
 * Checks the settings object of a configuration file against the settings of every
 * command (`known`): a key that no command has, a key that only the command line may
 * give, and a value of the wrong type are each reported with the file and the key.
 * Values are never quoted back, since they may be secrets.
 */
export function checkConfigObject(object: Record<string, unknown>, known: Readonly<Record<string, FlagShape>>, file: string): CheckedFile {
  const problems: string[] = []
  const candidates: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(object)) {
    if (key === CONFIG_FLAG) problems.push(`${file}: "${key}" cannot be set in a configuration file; name the file with --config or GRIDSYNC_CONFIG`)
    else if (Object.hasOwn(COMMAND_LINE_ONLY, key)) problems.push(commandLineOnlyProblem(`${file}: "${key}"`, key))
    else candidates[key] = value
  }

  const shape: Record<string, z.ZodType<unknown>> = {}
  for (const [name, flag] of Object.entries(known)) {
    if (name !== CONFIG_FLAG && isSetting(name)) shape[name] = settingSchema(flag).optional()
  }

  const result = z.strictObject(shape).safeParse(candidates)
  if (result.success) return {values: result.data, problems}
  const wrongKeys = new Set<string>()
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push(`${file}: "${key}" is not a gridsync setting`)
    } else {
      wrongKeys.add(String(issue.path[0]))
    }
  }

  for (const key of wrongKeys) problems.push(`${file}: "${key}" ${expectation(known[key] as FlagShape)}`)
  return {values: {}, problems}
}

/**
 * A setting written as text (an environment variable or a .env line) converted to the
 * flag's type and checked: true/false/1/0/yes/no for a switch, digits for a whole
 * number, one item per line for a list. Returns the problem's wording when wrong.
 */
export function checkText(shape: FlagShape, text: string): {ok: true; value: unknown} | {ok: false; problem: string} {
  const result = settingSchema(shape).safeParse(fromText(shape, text))
  if (result.success) return {ok: true, value: result.data}
  return {ok: false, problem: shape.type === 'boolean' ? TEXT_SWITCH_EXPECTATION : expectation(shape)}
}

/** What a switch accepts as text, which is more than a configuration file's true and false. */
const TEXT_SWITCH_EXPECTATION = 'must be one of true, false, yes, no, 1, 0 (in any case)'

function fromText(shape: FlagShape, text: string): unknown {
  if (shape.type === 'boolean') {
    if (/^(true|1|yes)$/i.test(text.trim())) return true
    if (/^(false|0|no)$/i.test(text.trim())) return false
    return text
  }

  if (!shape.multiple) return fromTextItem(shape, text)
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => fromTextItem(shape, line))
}

function fromTextItem(shape: FlagShape, text: string): unknown {
  return isIntegerFlag(shape) && /^[+-]?\d+$/.test(text.trim()) ? Number(text.trim()) : text
}
