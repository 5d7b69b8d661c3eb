import {knowledgeOf} from '../../helpers/knowledge.js'
import {Chalk} from 'chalk'

import {parseMap} from '../../../src/format/index.js'
import type {LocalMap, RemoteMap} from '../../../src/model/types.js'
import type {Plan} from '../../../src/sync/plan-types.js'
import {plan} from '../../../src/sync/plan.js'

export const SERVER = 'http://127.0.0.1:5000'
export const plain = new Chalk({level: 0})
export const coloured = new Chalk({level: 1})

/** A local map from file text (the lines joined with LF). */
export function local(file: string, lines: string[]): LocalMap {
  const parsed = parseMap(lines.join('\n') + '\n', file)
  if (!parsed.ok) throw new Error(`fixture ${file} does not parse: ${JSON.stringify(parsed.diagnostics)}`)
  return parsed.map
}

/** A map as the server would return it, written in file form for readability. */
export function remote(lines: string[]): RemoteMap {
  const map = local('server', lines)
  const slug = map.name.toLowerCase().replaceAll(/[^a-z0-9]+/g, '-')
  const url = `${SERVER}/api/maps/${slug}/`
  return {
    name: map.name,
    slug,
    url,
    width: map.width,
    height: map.height,
    observers: map.observers.map((o) => {
      const observerSlug = o.name.toLowerCase().replaceAll(/[^a-z0-9]+/g, '-')
      return {name: o.name, x: o.x, y: o.y, vision: o.vision, slug: observerSlug, url: `${url}observers/${observerSlug}/`}
    }),
    obstacles: map.obstacles,
  }
}

export interface Scenario {
  local?: LocalMap[]
  remote?: RemoteMap[]
  /** Remote maps listed but not read (only possible for maps without a file). */
  unread?: RemoteMap[]
  /** Names of remote maps whose state comes from the journal. */
  journal?: string[]
  invalid?: Array<{file: string; name?: string; problems: string[]}>
  prune?: boolean
}

/** The real planner on hand-made inputs. */
export function planOf(s: Scenario): Plan {
  const journal = new Set(s.journal)
  return plan({
    server: SERVER,
    local: s.local ?? [],
    invalid: s.invalid ?? [],
    knowledge: knowledgeOf([...(s.remote ?? []).map((map) => ({map, assumed: journal.has(map.name)})), ...(s.unread ?? []).map((map) => ({map, read: false}))]),
    prune: s.prune ?? false,
  })
}

/** The course example, as on the server. */
export const FANCY_REMOTE = [
  'Fancy Map',
  '............',
  '.a...##...b.',
  '.....#......',
  '........####',
  '.c........d.',
  '....##......',
  'a,Fancy Observer A,6',
  'b,Fancy Observer B,6',
  'c,Fancy Observer C,6',
  'd,Fancy Observer D,6',
]

/**
 * The same map edited: two columns wider, A moved from (1,1) to (2,2), B's vision 6 -> 8,
 * D removed, E new at (12,0); obstacles (12,3) and (13,5) added, (4,5) removed.
 */
export const FANCY_LOCAL = [
  'Fancy Map',
  '............e.',
  '.....##...b...',
  '..a..#........',
  '........#####.',
  '.c............',
  '.....#.......#',
  'a,Fancy Observer A,6',
  'b,Fancy Observer B,8',
  'c,Fancy Observer C,6',
  'e,Fancy Observer E,3',
]
