import assert from 'node:assert/strict'
import path from 'node:path'
import {describe, it} from 'node:test'

import type {LocalMap, RemoteMap} from '../../../src/model/types.js'
import type {JournalRecord} from '../../../src/sync/journal.js'
import {plan} from '../../../src/sync/plan.js'
import {findRenames, recordedFile} from '../../../src/sync/renames.js'
import {knowledgeOf} from '../../helpers/knowledge.js'

const DIR = path.join('work', 'maps')
const S = 'http://127.0.0.1:1'

const local = (name: string, file: string, over: Partial<LocalMap> = {}): LocalMap => ({
  name,
  file: path.join(DIR, file),
  width: 4,
  height: 3,
  observers: [],
  obstacles: [],
  ...over,
})
const remote = (name: string, slug: string, over: Partial<RemoteMap> = {}): RemoteMap => ({
  name,
  slug,
  url: `${S}/api/maps/${slug}/`,
  width: 4,
  height: 3,
  observers: [],
  obstacles: [],
  ...over,
})
const record = (map: RemoteMap | null, file?: string, at = '2026-01-01T00:00:00.000Z'): JournalRecord => ({
  url: map?.url ?? '',
  before: null,
  after: map,
  at,
  wroteAt: at,
  refuted: [],
  run: 'r',
  writes: [],
  ...(file === undefined ? {} : {file}),
})

describe('findRenames', () => {
  it('pairs a file with the name last pushed from it, when no file carries that name any more', () => {
    const records = new Map([['Old', record(remote('Old', 'old'), 'a.map')]])
    assert.deepEqual([...findRenames(DIR, [local('New', 'a.map')], [], records)], [['New', 'Old']])
  })

  it('is no rename where a file (valid or not) still carries the old name, the new name has its own record, or the old map is recorded gone', () => {
    const records = new Map([['Old', record(remote('Old', 'old'), 'a.map')]])
    assert.equal(findRenames(DIR, [local('New', 'a.map'), local('Old', 'b.map')], [], records).size, 0)
    assert.equal(findRenames(DIR, [local('New', 'a.map')], ['Old'], records).size, 0)
    assert.equal(findRenames(DIR, [local('New', 'a.map')], [], new Map([...records, ['New', record(remote('New', 'new'))]])).size, 0)
    assert.equal(findRenames(DIR, [local('New', 'a.map')], [], new Map([['Old', record(null, 'a.map')]])).size, 0)
    assert.equal(findRenames(DIR, [local('New', 'a.map')], [], new Map([['Old', record(remote('Old', 'old'))]])).size, 0, 'no file recorded: nothing to tell by')
  })

  it('takes the latest name pushed from the file', () => {
    const records = new Map([
      ['First', record(remote('First', 'first'), 'a.map', '2026-01-01T00:00:00.000Z')],
      ['Second', record(remote('Second', 'second'), 'a.map', '2026-01-02T00:00:00.000Z')],
    ])
    assert.deepEqual([...findRenames(DIR, [local('Third', 'a.map')], [], records)], [['Third', 'Second']])
  })

  it('records files relative to the maps directory, with forward slashes', () => {
    assert.equal(recordedFile(DIR, path.join(DIR, 'a.map')), 'a.map')
  })
})

describe('plan: a rename', () => {
  it('changes the map at its old URL first, resizing it under its old name, and renames it last, with every other operation before it', () => {
    const old = remote('Old', 'old', {observers: [{name: 'O', slug: 'o', url: `${S}/api/maps/old/observers/o/`, x: 0, y: 0, vision: null}], obstacles: [{x: 1, y: 1}]})
    const file = local('New', 'a.map', {width: 5, observers: [{name: 'O', x: 4, y: 0, vision: null, symbol: 'a'}], obstacles: [{x: 2, y: 2}]})
    const p = plan({server: S, local: [file], invalid: [], knowledge: knowledgeOf([{map: old}]), prune: true, renames: new Map([['New', 'Old']])})
    assert.deepEqual(
      p.maps.map((m) => [m.name, m.action, m.renamedFrom, m.url]),
      [['New', 'rename', 'Old', old.url]],
      'the old name is not pruned: it is this map',
    )
    const kinds = p.operations.map((op) => [op.kind, op.kind === 'updateMap' ? op.body.name : undefined])
    assert.deepEqual(kinds, [
      ['updateMap', 'Old'],
      ['deleteObstacle', undefined],
      ['updateObserver', undefined],
      ['createObstacle', undefined],
      ['updateMap', 'New'],
    ])
    const last = p.operations.at(-1)!
    assert.deepEqual(last.dependsOn, [0, 1, 2, 3])
    assert.equal(p.summary.maps.rename, 1)
  })

  it('is a create where the new name is already on the server, and the old map stays', () => {
    const p = plan({
      server: S,
      local: [local('New', 'a.map')],
      invalid: [],
      knowledge: knowledgeOf([{map: remote('Old', 'old')}, {map: remote('New', 'new')}]),
      prune: false,
      renames: new Map([['New', 'Old']]),
    })
    assert.deepEqual(
      p.maps.map((m) => [m.name, m.action]),
      [
        ['New', 'unchanged'],
        ['Old', 'untracked'],
      ],
    )
  })
})
