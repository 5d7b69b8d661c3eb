import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {parseEnv} from 'node:util'

import {DOTENV_FILE_NAME, displayPath, ENV_PREFIX} from './rules.js'
import {ConfigError} from './types.js'

export interface Dotenv {
  /** The file as shown to the user. */
  file: string
  /** Its GRIDSYNC_* variables; every other line is for other tools and left alone. */
  variables: Record<string, string>
}

/**
 * Reads `.env` in the working directory, if there is one: `KEY=value` lines, `#`
 * comments, optional quotes and `export ` prefixes, as node:util parseEnv reads them.
 * A line that is not `KEY=value` is lost by the parser (Node 20 also swallows the next
 * line into it, Node 22 and later drop it alone); when it mentions a GRIDSYNC_ variable,
 * it is reported (by number, never by content, which could hold a secret) instead of
 * losing the setting.
 */
export async function readDotenv(cwd: string): Promise<Dotenv | undefined> {
  const absolute = path.join(cwd, DOTENV_FILE_NAME)
  const file = displayPath(cwd, absolute)
  let text: string
  try {
    text = await readFile(absolute, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new ConfigError([`${file}: cannot be read: ${(error as Error).message}`])
  }

  const problems = brokenLines(text).map((line) => `${file}:${line}: not a KEY=value line, so a setting on it (or after it) would be lost`)
  if (problems.length > 0) throw new ConfigError(problems)
  const variables: Record<string, string> = {}
  for (const [key, value] of Object.entries(parseEnv(text))) {
    const name = key.trim()
    if (/^\w+$/.test(name) && name.startsWith(ENV_PREFIX) && value !== undefined) variables[name] = value
  }

  return {file, variables}
}

/**
 * The numbers of the lines that mention GRIDSYNC_ but are neither `KEY=value`, a
 * comment, nor inside a quoted value that runs over several lines.
 */
function brokenLines(text: string): number[] {
  const broken: number[] = []
  let openQuote: string | undefined
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (openQuote !== undefined) {
      if (line.includes(openQuote)) openQuote = undefined
      continue
    }
    const trimmed = line.trim()
    if (trimmed === '' || trimmed.startsWith('#')) continue
    const assignment = /^(?:export\s+)?[\w.-]+\s*=\s*(["'`]?)(.*)$/.exec(trimmed)
    if (assignment) {
      const [, quote = '', rest = ''] = assignment
      if (quote !== '' && !rest.includes(quote)) openQuote = quote
    } else if (trimmed.includes(ENV_PREFIX)) {
      broken.push(i + 1)
    }
  }

  return broken
}
