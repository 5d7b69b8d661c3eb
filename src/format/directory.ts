/**
 * Loading the maps directory (or a chosen list of files): every file parsed, then the
 * rules that span files checked, since the server holds all maps in one namespace.
 */

import {readdir, readFile, stat} from 'node:fs/promises'
import {join} from 'node:path'

import {ExitCode, GridsyncError} from '../exit-codes.js'
import {FileAccessError, fileErrorReason} from '../file-access.js'
import type {LocalMap} from '../model/types.js'
import {byPosition, type Diagnostic} from './diagnostics.js'
import {type ParsedFile, parseMapFile} from './parse.js'
import {knownSlug, slugKey} from './slug-key.js'
import {joinWords} from './words.js'
import {compareNatural} from '../model/order.js'

export interface InvalidFile {
  file: string
  /** The map name from line 1, when it could be read. */
  name?: string
  diagnostics: Diagnostic[]
}

export interface LoadResult {
  /** Valid maps, in file order. */
  maps: LocalMap[]
  /** Files with problems, in file order; their maps must be left alone. */
  invalid: InvalidFile[]
  /** Every file read, in order. */
  files: string[]
  /** What else is in the maps directory and was not read, with the reason, in name order (not hidden entries). */
  skipped: SkippedFile[]
}

export interface SkippedFile {
  file: string
  reason: string
}

/** Map files are `*.map`, and only those: notes, backups and the like beside them are never read as maps. */
const MAP_FILE = /\.map$/
const NOT_A_MAP = 'not a map file: only *.map files are read as maps'
const TXT_NOT_A_MAP = `${NOT_A_MAP} (a .txt file is not one; rename it to .map if it holds a map)`
const DIRECTORY = 'a directory: only the files directly in the maps directory are read'
const NOT_A_FILE = 'not a regular file'
/** Files read at the same time. */
const READ_CONCURRENCY = 16

/**
 * Without `files`: every `*.map` file directly in `dir` (hidden files skipped), sorted
 * by name, each named `dir/name`; the other entries that are not hidden are listed as
 * skipped, with the reason. With `files`: those paths as given (relative to the working
 * directory), whatever their names, duplicates dropped, in the given order.
 * A missing directory or a missing named file is a usage error; any other file that
 * cannot be read is reported as an invalid file.
 */
export async function loadMapsDir(dir: string, files?: string[]): Promise<LoadResult> {
  const {paths, skipped} = files ? {paths: await existingFiles(files), skipped: []} : await listMapFiles(dir)
  const parsed = await mapBounded(paths, READ_CONCURRENCY, readMapFile)
  const extra = crossFileDiagnostics(paths, parsed)
  const result: LoadResult = {maps: [], invalid: [], files: paths, skipped}
  parsed.forEach(({result: r}, i) => {
    const more = extra[i] as Diagnostic[]
    if (r.ok && more.length === 0) result.maps.push(r.map)
    else {
      const name = r.ok ? r.map.name : r.name
      const diagnostics = [...(r.ok ? [] : r.diagnostics), ...more].sort(byPosition)
      result.invalid.push(name === undefined ? {file: paths[i] as string, diagnostics} : {file: paths[i] as string, name, diagnostics})
    }
  })
  return result
}

async function listMapFiles(dir: string): Promise<{paths: string[]; skipped: SkippedFile[]}> {
  let entries
  try {
    entries = await readdir(dir, {withFileTypes: true})
  } catch (error) {
    // A wrong path is a usage error; a directory that is there but cannot be read is the environment's.
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new FileAccessError(`cannot read the maps directory "${dir}": ${fileErrorReason(error)}`, dir)
    throw new GridsyncError(`cannot read the maps directory "${dir}": ${reason(error)}`, ExitCode.USAGE, 'MAPS_DIR')
  }
  const names = entries
    .filter((e) => !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort(compareNames)
  const paths = names.map((name) => join(dir, name))
  const kinds = await mapBounded(paths, READ_CONCURRENCY, async (path) => {
    try {
      const stats = await stat(path)
      return stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'other'
    } catch {
      return 'file' // a dangling link: reading it reports the problem
    }
  })
  const listed: {paths: string[]; skipped: SkippedFile[]} = {paths: [], skipped: []}
  names.forEach((name, i) => {
    const file = paths[i] as string
    if (kinds[i] === 'directory') listed.skipped.push({file, reason: DIRECTORY})
    else if (kinds[i] === 'other') listed.skipped.push({file, reason: NOT_A_FILE})
    else if (MAP_FILE.test(name)) listed.paths.push(file)
    else listed.skipped.push({file, reason: name.endsWith('.txt') ? TXT_NOT_A_MAP : NOT_A_MAP})
  })
  return listed
}

async function existingFiles(files: string[]): Promise<string[]> {
  const unique = [...new Set(files)]
  const problems = (
    await mapBounded(unique, READ_CONCURRENCY, async (path) => {
      try {
        return (await stat(path)).isDirectory() ? `"${path}" is a directory, not a map file` : undefined
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'ENOENT' ? `no such file: "${path}"` : undefined
      }
    })
  ).filter((p) => p !== undefined)
  if (problems.length > 0) throw new GridsyncError(problems.join('; '), ExitCode.USAGE, 'MAP_FILE')
  return unique
}

async function readMapFile(path: string): Promise<ParsedFile> {
  try {
    return parseMapFile(await readFile(path), path)
  } catch (error) {
    return {
      result: {ok: false, diagnostics: [{file: path, line: 1, column: 1, message: `cannot read the file: ${reason(error)}`}]},
      observerLines: [],
    }
  }
}

/**
 * One map name per file and one observer name per server, and no two names the server
 * turns into the same address: a clash makes every file involved invalid, with a
 * diagnostic in each that names the others.
 */
function crossFileDiagnostics(paths: string[], parsed: ParsedFile[]): Diagnostic[][] {
  const extra: Diagnostic[][] = paths.map(() => [])
  const mapNames = new Map<string, number[]>()
  const observerNames = new Map<string, Array<{index: number; line: number}>>()
  parsed.forEach(({result, observerLines}, index) => {
    const name = result.ok ? result.map.name : result.name
    if (name !== undefined) push(mapNames, name, index)
    if (!result.ok) return
    result.map.observers.forEach((observer, k) => push(observerNames, observer.name, {index, line: observerLines[k] as number}))
  })
  for (const [name, owners] of mapNames) {
    if (owners.length < 2) continue
    for (const index of owners) {
      const others = owners.filter((o) => o !== index).map((o) => paths[o] as string)
      extra[index]?.push({
        file: paths[index] as string,
        line: 1,
        column: 1,
        message: `the map name "${name}" is also used by ${joinWords(others)}; each map must be in exactly one file`,
      })
    }
  }
  for (const [name, owners] of observerNames) {
    if (owners.length < 2) continue
    for (const owner of owners) {
      const others = owners.filter((o) => o !== owner).map((o) => `${paths[o.index]} (line ${o.line})`)
      extra[owner.index]?.push({
        file: paths[owner.index] as string,
        line: owner.line,
        column: 3, // the name, after a one-character symbol and a comma
        message: `observer name "${name}" is also used in ${joinWords(others)}; observer names must be unique across all maps`,
      })
    }
  }
  for (const d of addressClashes(paths, mapNames, observerNames)) extra[d.index]?.push(d.diagnostic)
  return extra
}

interface Owner {
  index: number
  line: number
}

/**
 * Different map names (or observer names) that give the same slug, so the same URL: the
 * server refuses the second one (409). Same names are reported on their own above.
 */
function addressClashes(paths: string[], mapNames: ReadonlyMap<string, number[]>, observerNames: ReadonlyMap<string, Owner[]>): Array<{index: number; diagnostic: Diagnostic}> {
  const out: Array<{index: number; diagnostic: Diagnostic}> = []
  const report = (kind: 'map' | 'observer', names: ReadonlyMap<string, Owner[]>, column: number): void => {
    const byKey = new Map<string, string[]>()
    for (const name of names.keys()) push(byKey, slugKey(name), name)
    for (const group of byKey.values()) {
      if (group.length < 2) continue
      const slug = knownSlug(group[0] as string)
      const address = slug === undefined ? 'the same address' : `the same address ("${slug}")`
      for (const name of group) {
        const others = group.filter((n) => n !== name).flatMap((n) => (names.get(n) ?? []).map((o) => `"${n}" in ${paths[o.index]}:${o.line}`))
        for (const owner of names.get(name) ?? []) {
          out.push({
            index: owner.index,
            diagnostic: {
              file: paths[owner.index] as string,
              line: owner.line,
              column,
              message:
                `the ${kind} name "${name}" gives ${address} on the server as ${joinWords(others)}; ` +
                `the server refuses a second ${kind} with the same address: rename one of them`,
            },
          })
        }
      }
    }
  }

  const maps = new Map([...mapNames].map(([name, indexes]) => [name, indexes.map((index) => ({index, line: 1}))]))
  report('map', maps, 1)
  report('observer', observerNames, 3)
  return out
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key)
  if (list) list.push(value)
  else map.set(key, [value])
}

function compareNames(a: string, b: string): number {
  return compareNatural(a, b)
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'it does not exist'
  if (code === 'ENOTDIR') return 'it is not a directory'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  return error instanceof Error ? error.message : String(error)
}

/** Runs fn over items with at most `limit` at a time; results keep the items' order. */
async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++
      results[index] = await fn(items[index] as T)
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker))
  return results
}
