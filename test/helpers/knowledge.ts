import type {RemoteMap} from '../../src/model/types.js'
import type {Knowledge, MapKnowledge} from '../../src/sync/knowledge.js'
import {fingerprint, listedFingerprint} from '../../src/sync/state-model.js'

/** A map as a hand-made server holds it, for planning tests. */
export interface ServerEntry {
  map: RemoteMap
  /** Whether its contents were read (maps with a file always are). Default true. */
  read?: boolean
  /** Its state is assumed from gridsync's own recent writes, the server's answers not showing them yet. */
  assumed?: boolean
}

export const AT = Date.parse('2026-01-01T12:00:00Z')

/** What gridsync would know of a server holding these maps, read at AT. */
export function knowledgeOf(entries: readonly ServerEntry[]): Knowledge {
  const maps = new Map<string, MapKnowledge>()
  for (const {map, read = true, assumed = false} of entries) {
    const summary = {name: map.name, slug: map.slug, width: map.width, height: map.height, url: map.url}
    const base = {name: map.name, url: map.url, summary, refuted: [], conflicts: [], lost: 0}
    if (!read) {
      maps.set(map.name, {...base, evidence: {kind: 'listing', at: AT, listed: true}, observed: listedFingerprint(summary)})
    } else if (assumed) {
      const evidence = {kind: 'writes' as const, at: AT, listed: true, wroteAt: AT - 1000, until: AT + 300_000}
      maps.set(map.name, {...base, state: map, evidence, observed: fingerprint(map)})
    } else {
      maps.set(map.name, {...base, state: map, evidence: {kind: 'read', at: AT, trust: 'no-own-writes', listed: true}, observed: fingerprint(map)})
    }
  }

  return {maps, listedAt: AT, unreachable: []}
}
