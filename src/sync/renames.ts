/**
 * Renamed maps. A map's name is line 1 of its file, so changing it there is how a user
 * renames a map. gridsync tells a rename from a new map by the journal: each map it
 * pushed is recorded with the file it came from. A file whose map name differs from the
 * name last pushed from it, where no file carries that old name any more, is the same
 * map renamed. Without such a record (a fresh checkout, a journal from before files were
 * recorded) nothing can tell a rename from a new map, and the plan says so.
 */
import path from 'node:path'

import type {LocalMap} from '../model/types.js'
import type {JournalRecord} from './journal.js'

/** A map file's name as the journal records it: relative to the maps directory, with forward slashes. */
export function recordedFile(mapsDir: string, file: string): string {
  return path.relative(mapsDir, file).split(path.sep).join('/')
}

/**
 * New name -> old name, for each file whose map gridsync last pushed under another name
 * that no file (valid or not) carries now and that gridsync has not recorded as gone.
 */
export function findRenames(mapsDir: string, local: readonly LocalMap[], otherNames: readonly string[], records: ReadonlyMap<string, JournalRecord>): Map<string, string> {
  const names = new Set([...local.map((m) => m.name), ...otherNames])
  const byFile = new Map<string, {name: string; at: string}>()
  for (const [name, record] of records) {
    if (record.file === undefined || record.after === null || names.has(name)) continue
    const seen = byFile.get(record.file)
    if (!seen || record.at > seen.at) byFile.set(record.file, {name, at: record.at})
  }

  const renames = new Map<string, string>()
  for (const m of local) {
    const old = byFile.get(recordedFile(mapsDir, m.file))
    // The new name may have a record already: a rename that was planned but never carried out (a run
    // killed, or the PUT refused) left the map under its old name there.
    const own = records.get(m.name)
    if (old && (!own || (own.after !== null && own.after.name !== m.name))) renames.set(m.name, old.name)
  }

  return renames
}
