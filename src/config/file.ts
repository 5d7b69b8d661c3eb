import {readFile} from 'node:fs/promises'

import {ConfigError} from './types.js'

/**
 * Reads a configuration file: one JSON object of settings. A file found beside the maps
 * directory is optional (undefined when missing); one named by --config or
 * GRIDSYNC_CONFIG (`namedBy` says which) must exist. Errors name the file, and the line
 * and column of a JSON syntax error.
 */
export async function readConfigFile(absolute: string, file: string, namedBy?: string): Promise<Record<string, unknown> | undefined> {
  let text: string
  try {
    text = await readFile(absolute, 'utf8')
  } catch (error) {
    const {code, message} = error as NodeJS.ErrnoException
    if (code === 'ENOENT' && namedBy === undefined) return undefined
    if (code === 'ENOENT') throw new ConfigError([`configuration file ${file} not found (named by ${namedBy})`])
    throw new ConfigError([`${file}: cannot be read: ${message}`])
  }

  text = text.replace(/^\uFEFF/, '')
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new ConfigError([`${file}: not valid JSON: ${describeSyntaxError(text, (error as Error).message)}`])
  }

  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError([`${file}: must hold one JSON object of settings, such as {"server": "https://maps.example.org"}`])
  }

  return parsed as Record<string, unknown>
}

/**
 * A JSON.parse message made safe to print: its "at position N" becomes a line and
 * column, and the excerpt of the file it may quote (which could hold a secret) is cut.
 */
function describeSyntaxError(text: string, message: string): string {
  const at = /^(.*?)(?: in JSON)? at position (\d+)/.exec(message)
  if (!at) return message.replace(/, .*is not valid JSON$/s, '')
  const before = text.slice(0, Number(at[2]))
  const line = before.split('\n').length
  const column = before.length - before.lastIndexOf('\n')
  return `${at[1]} (line ${line}, column ${column})`
}
