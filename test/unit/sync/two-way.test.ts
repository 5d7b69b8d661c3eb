import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import type {LocalMap, RemoteMap} from '../../../src/model/types.js'
import type {JournalRecord} from '../../../src/sync/journal.js'
import type {MapKnowledge} from '../../../src/sync/knowledge.js'
import {mergeAll} from '../../../src/sync/two-way.js'
import {knowledgeOf} from '../../helpers/knowledge.js'

const S = 'http://127.0.0.1:1'
const file: LocalMap = {
  name: 'M',
  file: 'maps/m.map',
  width: 3,
  height: 2,
  observers: [],
  obstacles: [
    {x: 0, y: 0},
    {x: 1, y: 0},
  ],
}
const server = (obstacles: Array<{x: number; y: number}>): RemoteMap => ({name: 'M', slug: 'm', url: `${S}/api/maps/m/`, width: 3, height: 2, observers: [], obstacles})
const loaded = {maps: [file], invalid: [], files: [file.file], skipped: []}
const input = {server: S, mapsDir: 'maps', loaded}

/** The record a push leaves that created the map from the file, its second obstacle's answer lost. */
const record: JournalRecord = {
  url: `${S}/api/maps/m/`,
  before: null,
  after: server([
    {x: 0, y: 0},
    {x: 1, y: 0},
  ]),
  at: '2026-01-01T00:00:00.000Z',
  wroteAt: '2026-01-01T00:00:00.000Z',
  refuted: [],
  run: 'r',
  writes: [],
}

describe('mergeAll: a map with no sync base yet', () => {
  it("takes the state gridsync last pushed as the base: an object missing on the server since is the server's edit, not a conflict", () => {
    const knowledge = knowledgeOf([{map: server([{x: 0, y: 0}])}])
    const p = mergeAll(input, knowledge, new Map(), new Map([['M', record]]))
    const m = p.maps[0]!
    assert.equal(m.action, 'merge')
    assert.deepEqual(
      m.toFile.map((s) => [s.what, s.file, s.server]),
      [['obstacle (1,0)', 'present', null]],
    )
  })

  it('sends again a write whose answer was lost and that did not happen, never taking its absence into the file', () => {
    const knowledge = knowledgeOf([{map: server([{x: 0, y: 0}])}])
    const k = knowledge.maps.get('M') as MapKnowledge
    k.lostKeys = ['obstacle:1,0']
    const p = mergeAll(input, knowledge, new Map(), new Map([['M', record]]))
    const m = p.maps[0]!
    assert.deepEqual(
      m.toServer.map((s) => [s.what, s.file, s.server]),
      [['obstacle (1,0)', 'present', null]],
    )
    assert.deepEqual(m.toFile, [])
    assert.deepEqual(
      p.serverPlan.operations.map((op) => op.kind),
      ['createObstacle'],
    )
  })

  it('without any record, calls every difference a conflict, keeping both sides', () => {
    const p = mergeAll(input, knowledgeOf([{map: server([{x: 0, y: 0}])}]), new Map(), new Map())
    assert.equal(p.maps[0]!.action, 'conflict')
    assert.deepEqual(p.serverPlan.operations, [])
  })
})
