import {mkdir, readFile, rename, writeFile} from 'node:fs/promises'
import path from 'node:path'

import {z} from 'zod'

import type {RemoteMap} from '../model/types.js'

/**
 * gridsync's memory of its own recent writes, kept in `<maps dir>/.gridsync/state.json`.
 * Used only to recognise stale answers about those writes: when the server answers a
 * read exactly as it did before gridsync wrote (a caching server), the state gridsync
 * wrote is taken instead. A read showing anything else is newer and wins.
 */
export interface JournalRecord {
  /** The map's URL on the server. */
  url: string
  /** Fingerprint of the server's answer the writes were planned from; null: the map was absent. */
  before: string | null
  /** The map as gridsync left it; null: deleted. */
  after: RemoteMap | null
  /** When the writes ended (ISO 8601). */
  at: string
}

const position = z.object({x: z.number(), y: z.number()})
const recordSchema = z.object({
  url: z.string(),
  before: z.string().nullable(),
  after: z
    .object({
      name: z.string(),
      slug: z.string(),
      url: z.string(),
      width: z.number(),
      height: z.number(),
      observers: z.array(position.extend({name: z.string(), slug: z.string(), url: z.string(), vision: z.number().nullable()})),
      obstacles: z.array(position),
    })
    .nullable(),
  at: z.string(),
})
const fileSchema = z.object({
  version: z.literal(1),
  servers: z.record(z.string(), z.object({maps: z.record(z.string(), recordSchema)})),
})
type StateFileContent = z.infer<typeof fileSchema>

export const STATE_DIR = '.gridsync'
const STATE_FILE = 'state.json'

export class Journal {
  private constructor(
    private readonly file: string,
    private readonly content: StateFileContent,
  ) {}

  static pathFor(mapsDir: string): string {
    return path.join(mapsDir, STATE_DIR, STATE_FILE)
  }

  /** Loads the state file; a missing one is empty, an unreadable one is reported, never trusted. */
  static async load(mapsDir: string): Promise<{journal: Journal; warning?: string}> {
    const file = Journal.pathFor(mapsDir)
    let text: string
    try {
      text = await readFile(file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {journal: new Journal(file, {version: 1, servers: {}})}
      throw error
    }

    try {
      return {journal: new Journal(file, fileSchema.parse(JSON.parse(text)))}
    } catch {
      return {
        journal: new Journal(file, {version: 1, servers: {}}),
        warning: `${file} is unreadable; it is ignored and will be replaced (stale server answers about earlier writes cannot be recognised this run)`,
      }
    }
  }

  /** Records for a server younger than `windowMs`, by map name. */
  recent(server: string, now: number, windowMs: number): Map<string, JournalRecord> {
    const maps = this.content.servers[server]?.maps ?? {}
    return new Map(Object.entries(maps).filter(([, r]) => now - Date.parse(r.at) < windowMs))
  }

  set(server: string, name: string, record: JournalRecord | undefined): void {
    const entry = (this.content.servers[server] ??= {maps: {}})
    if (record) entry.maps[name] = record
    else delete entry.maps[name]
  }

  /** Drops records older than `windowMs`: past it, the server's answers are trusted again. */
  prune(now: number, windowMs: number): void {
    for (const entry of Object.values(this.content.servers)) {
      for (const [name, r] of Object.entries(entry.maps)) if (now - Date.parse(r.at) >= windowMs) delete entry.maps[name]
    }
  }

  /** Writes the state file atomically: a temporary file beside it, then a rename. */
  async save(): Promise<void> {
    await mkdir(path.dirname(this.file), {recursive: true})
    const tmp = `${this.file}.${process.pid}.tmp`
    await writeFile(tmp, `${JSON.stringify(this.content)}\n`)
    await rename(tmp, this.file)
  }
}
