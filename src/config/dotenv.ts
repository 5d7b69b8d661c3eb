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
 * A line that is not `KEY=value` makes the parser swallow the next line into a key;
 * when that hides a GRIDSYNC_ variable, the line is reported (by number, never by
 * content, which could hold a secret) instead of losing the setting.
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

  const variables: Record<string, string> = {}
  const problems: string[] = []
  for (const [key, value] of Object.entries(parseEnv(text))) {
    const name = key.trim()
    if (/^\w+$/.test(name)) {
      if (name.startsWith(ENV_PREFIX) && value !== undefined) variables[name] = value
    } else if (name.includes(ENV_PREFIX)) {
      problems.push(`${file}:${lineOf(text, key)}: not a KEY=value line, so the setting on the next line would be lost`)
    }
  }

  if (problems.length > 0) throw new ConfigError(problems)
  return {file, variables}
}

function lineOf(text: string, key: string): number {
  const at = text.indexOf(key)
  return at < 0 ? 1 : text.slice(0, at).split('\n').length
}
