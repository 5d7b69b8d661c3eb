import {mkdir, writeFile} from 'node:fs/promises'
import path from 'node:path'

import {Journal, type JournalRecord} from '../../src/sync/journal.js'

/** Writes a journal holding just these records, as a compacted journal holds them. */
export async function writeJournalRecords(
  mapsDir: string,
  server: string,
  records: Record<string, Omit<JournalRecord, 'run' | 'writes' | 'wroteAt' | 'refuted'> & Partial<JournalRecord>>,
): Promise<void> {
  const file = Journal.pathFor(mapsDir)
  await mkdir(path.dirname(file), {recursive: true})
  const lines = Object.entries(records).map(([map, r]) => JSON.stringify({t: 'record', server, map, record: {run: 'test', writes: [], wroteAt: r.at, refuted: [], ...r}}))
  await writeFile(file, lines.map((l) => `${l}\n`).join(''))
}
