import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {after} from 'node:test'

import {Flags} from '@oclif/core'

import {type Resolution, type ResolveOptions, resolveLayers} from '../../../src/config/index.js'

/** Flags of each kind configuration handles, as a command would define them. */
export const FLAGS = {
  server: Flags.string(),
  concurrency: Flags.integer({default: 4, min: 1, max: 64}),
  'wait-lock': Flags.integer({default: 0, min: 0}),
  header: Flags.string({multiple: true}),
  insecure: Flags.boolean(),
  'ca-cert': Flags.file({exists: true}),
  'maps-dir': Flags.string({default: './maps', helpValue: 'DIR'}),
  'log-format': Flags.option({options: ['text', 'json'] as const, default: 'text'})(),
  'log-file': Flags.string({helpValue: 'PATH'}),
  'max-delete': Flags.string({default: '5'}),
  token: Flags.string(),
  config: Flags.string(),
  prune: Flags.boolean(),
  only: Flags.string({multiple: true}),
}

const cleanups: string[] = []
after(async () => {
  await Promise.all(cleanups.map((dir) => rm(dir, {recursive: true, force: true})))
})

/** A fresh working directory holding `files` (relative paths; directories are created). */
export async function project(files: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gridsync-config-'))
  cleanups.push(dir)
  await mkdir(path.join(dir, 'maps'))
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), {recursive: true})
    await writeFile(path.join(dir, name), text)
  }

  return dir
}

export function configJson(settings: Record<string, unknown>): string {
  return JSON.stringify(settings, null, 2)
}

/** resolveLayers in `cwd` with the test flags, nothing on the command line and an empty environment unless given. */
export function resolveIn(cwd: string, options: Partial<ResolveOptions> = {}): Promise<Resolution> {
  return resolveLayers({
    flags: FLAGS,
    known: FLAGS,
    given: {},
    env: {},
    cwd,
    defaultMapsDir: './maps',
    ...options,
  })
}
