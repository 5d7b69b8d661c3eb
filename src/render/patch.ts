import {FILE_HEADERS_ONLY, formatPatch, structuredPatch} from 'diff'

import {writeMap} from '../format/index.js'
import type {GridMap, LocalMap, RemoteMap} from '../model/types.js'
import type {MapPlan, Plan} from '../sync/plan-types.js'
import {assumedNote} from './words.js'

const DEV_NULL = '/dev/null'

/**
 * The plan as a unified diff per created, updated or deleted map: from the server's
 * state written as a canonical map file to the local file in canonical form. The server
 * side is written with the file's symbols and legend order, so only real changes show.
 * What cannot be shown as a diff (a server state the format cannot hold, a deleted map
 * that was not read, an invalid file) is a `#` comment line, which patch tools skip.
 * An empty string when nothing changes.
 */
export function renderPlanPatch(plan: Plan): string {
  return plan.maps.map(mapPatch).join('')
}

function mapPatch(mp: MapPlan): string {
  const serverName = `server/${mp.name}`
  const journal = mp.evidence?.kind === 'writes' && mp.action !== 'unchanged' ? comment(`${serverName}: ${assumedNote(mp.evidence)}`) : ''
  switch (mp.action) {
    case 'unchanged':
    case 'untracked':
      return ''
    case 'invalid':
      return comment(`${mp.file ?? mp.name}: invalid file; map "${mp.name}" is left alone on the server`)
    case 'conflict':
      return comment(`${serverName}: changed on the server by someone else since gridsync last knew it; left alone (--force overwrites it)`)
    case 'delete': {
      if (!mp.remote) return comment(`${serverName}: the map and everything on it will be deleted (its contents were not read)`)
      const before = canonical(mp.remote, serverName)
      return journal + (before.ok ? diff(serverName, DEV_NULL, before.text, '') : before.comment)
    }

    case 'create':
    case 'update':
    case 'rename':
    case 'rebuild': {
      const local = mp.local
      if (!local) return ''
      const file = local.file
      const after = canonical(local, file, local)
      if (!after.ok) return after.comment
      if (mp.action === 'create') return diff(DEV_NULL, file, '', after.text)
      if (!mp.remote) return comment(`${serverName}: its contents were not read, so no patch can be shown`)
      const before = canonical(inFileOrder(mp.remote, local), serverName, local)
      return journal + (before.ok ? diff(serverName, file, before.text, after.text) : before.comment)
    }
  }
}

type Written = {ok: true; text: string} | {ok: false; comment: string}

/** The map as a canonical file, with the file's symbols preferred. */
function canonical(map: GridMap, label: string, symbolsFrom?: LocalMap): Written {
  const symbols = new Map(symbolsFrom?.observers.map((o) => [o.name, o.symbol]))
  const written = writeMap(map, {symbols})
  if (written.ok) return {ok: true, text: written.text}
  return {ok: false, comment: comment(`${label} cannot be written as a map file, so no patch is shown: ${written.problems.join('; ')}`)}
}

/** The remote map with its observers in the file's order (those the file lacks last, as the server lists them). */
function inFileOrder(remote: RemoteMap, local: LocalMap): RemoteMap {
  const rank = new Map(local.observers.map((o, i) => [o.name, i]))
  const at = (name: string): number => rank.get(name) ?? local.observers.length
  return {...remote, observers: remote.observers.toSorted((a, b) => at(a.name) - at(b.name))}
}

function diff(oldName: string, newName: string, before: string, after: string): string {
  const patch = structuredPatch(oldName, newName, before, after)
  return patch.hunks.length === 0 ? '' : formatPatch(patch, FILE_HEADERS_ONLY)
}

function comment(text: string): string {
  return `# ${text.replaceAll('\n', ' ')}\n`
}
