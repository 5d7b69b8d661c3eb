import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {symbolSequence} from '../../../src/format/symbols.js'
import type {LocalMap, RemoteMap} from '../../../src/model/types.js'
import type {JournalRecord} from '../../../src/sync/journal.js'
import type {Knowledge, MapKnowledge} from '../../../src/sync/knowledge.js'
import {mergeAll, syncDryRunExitCode} from '../../../src/sync/two-way.js'
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

describe('mergeAll: map-level decisions rest on proof', () => {
  const base = {file: 'm.map', url: `${S}/api/maps/m/`, state: server([{x: 0, y: 0}])}
  const gone = (): Knowledge => {
    const k = knowledgeOf([])
    k.maps.set('M', {name: 'M', evidence: {kind: 'gone', at: 0, listed: false}, refuted: [], conflicts: [], lost: 0, observed: null})
    return k
  }

  it('moves a file aside only on a 404, and keeps the base of a map in conflict', () => {
    const unchanged = {...input, loaded: {...loaded, maps: [{...file, obstacles: [{x: 0, y: 0}]}]}}
    assert.equal(mergeAll(unchanged, gone(), new Map([['M', base]])).maps[0]!.action, 'delete-file')
    assert.equal(mergeAll(unchanged, knowledgeOf([]), new Map([['M', base]])).maps[0]!.action, 'unknown', 'not listed proves nothing')
    const changed = mergeAll(input, gone(), new Map([['M', base]])).maps[0]!
    assert.deepEqual([changed.action, changed.dropBase, changed.base], ['conflict', undefined, undefined], 'the base stays for the next run')
  })

  it("deletes a map whose file is gone only on a trusted read, never on gridsync's own recent writes", () => {
    const none = {...input, loaded: {maps: [], invalid: [], files: [], skipped: []}}
    assert.equal(mergeAll(none, knowledgeOf([{map: server([{x: 0, y: 0}])}]), new Map([['M', base]])).maps[0]!.action, 'delete-on-server')
    assert.equal(mergeAll(none, knowledgeOf([{map: server([{x: 0, y: 0}]), assumed: true}]), new Map([['M', base]])).maps[0]!.action, 'unknown')
  })

  it('never takes the journal for a base of a map without a file: one push kept on the server is written into a file, not deleted', () => {
    const none = {...input, loaded: {maps: [], invalid: [], files: [], skipped: []}}
    assert.equal(
      mergeAll(
        none,
        knowledgeOf([
          {
            map: server([
              {x: 0, y: 0},
              {x: 1, y: 0},
            ]),
          },
        ]),
        new Map(),
        new Map([['M', record]]),
      ).maps[0]!.action,
      'create-file',
    )
  })

  it('calls a map whose deletes the server refuses not in sync', () => {
    const k = knowledgeOf([
      {
        map: server([
          {x: 0, y: 0},
          {x: 1, y: 0},
          {x: 2, y: 1},
        ]),
      },
    ])
    const refusedOp = {id: 0, kind: 'deleteObstacle' as const, map: 'M', phase: 3 as const, dependsOn: [], reason: '', position: {x: 2, y: 1}}
    k.maps.get('M')!.refuted.push(refusedOp)
    const p = mergeAll(
      input,
      k,
      new Map([
        [
          'M',
          {
            ...base,
            state: server([
              {x: 0, y: 0},
              {x: 1, y: 0},
            ]),
          },
        ],
      ]),
    )
    assert.deepEqual([p.maps[0]!.action, p.maps[0]!.notApplied], ['in-sync', true])
    assert.match(p.maps[0]!.notes.join('\n'), /\(2,1\) still present/)
    assert.equal(syncDryRunExitCode(p, true), 8)
  })
})

describe("mergeAll: an answer within the cache time after gridsync's writes moves nothing it cannot explain", () => {
  const withObserver = (x: number): RemoteMap => ({...server([{x: 0, y: 0}]), observers: [{name: 'O', slug: 'o', url: `${S}/api/observers/o/`, x, y: 1, vision: 2}]})
  const base = {file: 'm.map', url: `${S}/api/maps/m/`, state: withObserver(0)}
  /** The file with O where the stand-in has it (x 0), and these obstacles. */
  const observerAt0With = (obstacles: Array<{x: number; y: number}>) => ({
    ...input,
    loaded: {...loaded, maps: [{...file, obstacles, observers: [{name: 'O', x: 0, y: 1, vision: 2, symbol: 'a'}]}]},
  })
  /** The stand-in is what gridsync's writes left (O at x 0); the answer shows O at x 2. */
  const soon = (): Knowledge => {
    const k = knowledgeOf([{map: withObserver(0), assumed: true}])
    k.maps.get('M')!.unproven = withObserver(2)
    return k
  }

  it('holds an object the file changed where the answer differs from the stand-in: nothing sent, the base kept', () => {
    const moved = {...input, loaded: {...loaded, maps: [{...file, obstacles: [{x: 0, y: 0}], observers: [{name: 'O', x: 1, y: 1, vision: 2, symbol: 'a'}]}]}}
    const m = mergeAll(moved, soon(), new Map([['M', base]])).maps[0]!
    assert.equal(m.action, 'unknown')
    assert.deepEqual(
      m.held?.map((s) => [s.what, s.base, s.file, s.server]),
      [['observer "O"', 'at (0,1), vision 2', 'at (1,1), vision 2', 'at (2,1), vision 2']],
    )
    assert.deepEqual([m.toServer, m.toFile, m.serverTarget, m.fileTarget], [[], [], undefined, undefined])
    assert.equal(syncDryRunExitCode(mergeAll(moved, soon(), new Map([['M', base]])), true), 8)
  })

  it("never takes such an answer into the file, and still sends the file's other edits, keeping the held object's base", () => {
    const edited = observerAt0With([
      {x: 0, y: 0},
      {x: 2, y: 0},
    ])
    const p = mergeAll(edited, soon(), new Map([['M', base]]))
    const m = p.maps[0]!
    assert.equal(m.action, 'merge')
    assert.deepEqual(m.toFile, [])
    assert.deepEqual(
      m.toServer.map((s) => s.what),
      ['obstacle (2,0)'],
    )
    assert.deepEqual(m.base?.observers, [{name: 'O', x: 0, y: 1, vision: 2}], "the held observer's base value stays")
    assert.deepEqual(
      p.serverPlan.operations.map((op) => op.kind),
      ['createObstacle'],
    )
  })

  it('sends nothing that could not stand with the answer: an obstacle on the tile the answer shows an observer on', () => {
    const onTile = observerAt0With([
      {x: 0, y: 0},
      {x: 2, y: 1},
    ])
    const p = mergeAll(onTile, soon(), new Map([['M', base]]))
    assert.equal(p.maps[0]!.action, 'unknown')
    assert.match(p.maps[0]!.notes.join('\n'), /stands on an obstacle at \(2,1\)/)
    assert.deepEqual(p.serverPlan.operations, [])
  })
})

describe('mergeAll: a map only on the server that no file can hold', () => {
  it('with more observers than the grid has symbols: left alone and said why, no file planned (as for the other reasons)', () => {
    const symbols = symbolSequence().length
    const side = Math.ceil(Math.sqrt(symbols + 1))
    const observers = Array.from({length: symbols + 1}, (_, i) => ({
      name: `O ${i}`,
      slug: `o-${i}`,
      url: `${S}/api/maps/many/observers/o-${i}/`,
      x: i % side,
      y: Math.floor(i / side),
      vision: null,
    }))
    const many: RemoteMap = {name: 'Many', slug: 'many', url: `${S}/api/maps/many/`, width: side, height: side, observers, obstacles: []}
    const p = mergeAll({server: S, mapsDir: 'maps', loaded: {maps: [], invalid: [], files: [], skipped: []}}, knowledgeOf([{map: many}]), new Map())
    const m = p.maps[0]!
    assert.equal(m.action, 'conflict')
    assert.equal(m.fileTarget, undefined)
    assert.equal(m.base, undefined)
    assert.deepEqual(m.notes, [
      `only on the server, and no file can hold it: the map has ${symbols + 1} observers but only ${symbols} symbols are available for the grid; left alone`,
    ])
    assert.equal(syncDryRunExitCode(p, true), 4)
  })
})

describe('mergeAll: an observer that moved to another map on the server', () => {
  const url = (slug: string) => `${S}/api/maps/${slug}/`
  const obs = (x: number) => ({name: 'X', slug: 'x', url: `${S}/api/observers/x/`, x, y: 0, vision: 1})
  const remoteMap = (name: string, observers: RemoteMap['observers']): RemoteMap => ({
    name,
    slug: name.toLowerCase(),
    url: url(name.toLowerCase()),
    width: 3,
    height: 1,
    observers,
    obstacles: [],
  })
  const fileOf = (name: string, observers: Array<{x: number}>): LocalMap => ({
    name,
    file: `maps/${name.toLowerCase()}.map`,
    width: 3,
    height: 1,
    observers: observers.map(({x}) => ({name: 'X', x, y: 0, vision: 1, symbol: 'a'})),
    obstacles: [],
  })
  const bases = new Map([
    ['A', {file: 'a.map', url: url('a'), state: remoteMap('A', [obs(0)])}],
    ['B', {file: 'b.map', url: url('b'), state: remoteMap('B', [])}],
  ])
  const server = knowledgeOf([{map: remoteMap('A', [])}, {map: remoteMap('B', [obs(2)])}])
  const inputOf = (files: LocalMap[]) => ({server: S, mapsDir: 'maps', loaded: {maps: files, invalid: [], files: files.map((f) => f.file), skipped: []}})

  it("is taken out of its old file and written into the new map's in one run", () => {
    const files = [fileOf('A', [{x: 0}]), fileOf('B', [])]
    const p = mergeAll(inputOf(files), server, bases)
    assert.deepEqual(
      p.maps.map((m) => [m.name, m.action, m.toFile.map((s) => `${s.what}: ${s.file} -> ${s.server}`)]),
      [
        ['A', 'merge', ['observer "X": at (0,0), vision 1 -> null']],
        ['B', 'merge', ['observer "X": null -> at (2,0), vision 1']],
      ],
    )
  })

  it('is not written into the new file while its old file keeps it (edited there: a conflict), so no name is in two files', () => {
    const files = [fileOf('A', [{x: 1}]), fileOf('B', [])]
    const p = mergeAll(inputOf(files), server, bases)
    const [a, b] = p.maps
    assert.equal(a!.action, 'conflict')
    assert.deepEqual([b!.action, b!.toFile, b!.fileTarget], ['unknown', [], undefined])
    assert.deepEqual(
      b!.held?.map((s) => s.what),
      ['observer "X"'],
    )
    assert.match(b!.notes.join('\n'), /may still be in the file of map "A"/)
  })

  it('may go to a new file for a map only on the server when its old file gives it up in the same run', () => {
    const files = [fileOf('A', [{x: 0}])]
    const onlyA = new Map([['A', bases.get('A')!]])
    const k = knowledgeOf([{map: remoteMap('A', [])}, {map: remoteMap('C', [obs(2)])}])
    const p = mergeAll(inputOf(files), k, onlyA)
    assert.deepEqual(
      p.maps.map((m) => [m.name, m.action]),
      [
        ['A', 'merge'],
        ['C', 'create-file'],
      ],
    )
  })
})

describe('mergeAll: --prefer on a server map no file can hold', () => {
  // The server holds observer O on the obstacle at (1,0): two clients' edits that cannot stand together.
  const stacked: RemoteMap = {...server([{x: 1, y: 0}]), observers: [{name: 'O', slug: 'o', url: `${S}/api/observers/o/`, x: 1, y: 0, vision: 2}]}
  const mine: LocalMap = {...file, obstacles: [{x: 1, y: 0}], observers: [{name: 'O', x: 0, y: 1, vision: 2, symbol: 'a'}]}
  const base = {file: 'm.map', url: `${S}/api/maps/m/`, state: {...mine, obstacles: []}}
  const run = (prefer: 'local' | 'remote') => mergeAll({...input, prefer, loaded: {...loaded, maps: [mine]}}, knowledgeOf([{map: stacked}]), new Map([['M', base]])).maps[0]!

  it('with remote preferred, plans no file it could not write: left alone, said why', () => {
    const m = run('remote')
    assert.deepEqual([m.action, m.fileTarget, m.serverTarget], ['conflict', undefined, undefined])
    assert.match(m.notes.join('\n'), /cannot be written into a file .*stands on an obstacle at \(1,0\)/)
  })

  it("with local preferred, sends the file's map", () => {
    const m = run('local')
    assert.equal(m.action, 'merge')
    assert.deepEqual(
      m.serverTarget?.observers.map(({name, x, y, vision}) => ({name, x, y, vision})),
      [{name: 'O', x: 0, y: 1, vision: 2}],
    )
  })
})

describe('mergeAll: the base a sync killed between its file and its base left', () => {
  const at = (x: number): RemoteMap => ({...server([]), observers: [{name: 'O', slug: 'o', url: `${S}/api/observers/o/`, x, y: 1, vision: 2}]})
  const fileAt = (x: number): LocalMap => ({...file, obstacles: [], observers: [{name: 'O', x, y: 1, vision: 2, symbol: 'a'}]})
  // The base had O at x 0; the server moved it to x 1, and the killed sync was to write that into the file.
  const stored = {file: 'm.map', url: `${S}/api/maps/m/`, state: at(0), pending: at(1), pendingFile: at(1)}
  const run = (local: LocalMap) => mergeAll({...input, loaded: {...loaded, maps: [local]}}, knowledgeOf([{map: at(1)}]), new Map([['M', stored]])).maps[0]!

  it('is the recorded one when the file says exactly what that sync wrote: the file then changed nothing', () => {
    assert.equal(run(fileAt(1)).action, 'in-sync')
  })

  it('is the old one when the file says anything else: an edit made since is a conflict with the server, never sent over it', () => {
    const m = run(fileAt(2))
    assert.equal(m.action, 'conflict')
    assert.deepEqual(
      m.conflicts.map((s) => [s.base, s.file, s.server]),
      [['at (0,1), vision 2', 'at (2,1), vision 2', 'at (1,1), vision 2']],
    )
  })
})

describe('mergeAll: review cases', () => {
  it('writes no observer into a file while a file cannot be read (it may hold the name)', () => {
    const guest: RemoteMap = {
      name: 'G',
      slug: 'g',
      url: `${S}/api/maps/g/`,
      width: 2,
      height: 1,
      observers: [{name: 'Q', slug: 'q', url: `${S}/api/observers/q/`, x: 0, y: 0, vision: null}],
      obstacles: [],
    }
    const bad = {file: 'maps/bad.map', name: 'Bad', diagnostics: []}
    const p = mergeAll({...input, loaded: {maps: [], invalid: [bad], files: [bad.file], skipped: []}}, knowledgeOf([{map: guest}]), new Map())
    const g = p.maps.find((m) => m.name === 'G')!
    assert.deepEqual([g.action, g.fileTarget], ['unknown', undefined])
    assert.match(g.notes.join('\n'), /maps\/bad\.map cannot be read/)
  })

  it('keeps a rename when --prefer takes a whole side: one rename, never a second map', () => {
    // Alpha renamed to Gamma in m.map, with O moved onto the tile the server put an obstacle on.
    const old: RemoteMap = {
      ...server([]),
      name: 'Alpha',
      slug: 'alpha',
      url: `${S}/api/maps/alpha/`,
      observers: [{name: 'O', slug: 'o', url: `${S}/api/observers/o/`, x: 0, y: 1, vision: 2}],
    }
    const onServer = {...old, obstacles: [{x: 1, y: 1}]}
    const renamed: LocalMap = {...file, name: 'Gamma', obstacles: [], observers: [{name: 'O', x: 1, y: 1, vision: 2, symbol: 'a'}]}
    const bases = new Map([['Alpha', {file: 'm.map', url: old.url, state: old}]])
    for (const prefer of ['local', 'remote'] as const) {
      const p = mergeAll({server: S, mapsDir: 'maps', prefer, loaded: {maps: [renamed], invalid: [], files: [renamed.file], skipped: []}}, knowledgeOf([{map: onServer}]), bases)
      assert.deepEqual(
        p.maps.map((m) => [m.name, m.action, m.renamedFrom]),
        [['Gamma', 'merge', 'Alpha']],
        prefer,
      )
      assert.ok(!p.serverPlan.operations.some((op) => op.kind === 'createMap' || op.kind === 'deleteMap'), `${prefer}: no map created or deleted`)
      assert.equal(p.serverPlan.operations.filter((op) => op.kind === 'updateMap' && op.renamedFrom === 'Alpha').length, 1, prefer)
      if (prefer === 'remote') assert.equal(p.maps[0]!.fileTarget?.name, 'Gamma', "the file keeps its new name when it takes the server's map")
    }
  })
})

describe('mergeAll: a map renamed on the server', () => {
  const alpha: RemoteMap = {...server([{x: 0, y: 0}]), name: 'Alpha', slug: 'alpha', url: `${S}/api/maps/alpha/`}
  const as = (name: string): RemoteMap => ({...alpha, name, slug: name.toLowerCase(), url: `${S}/api/maps/${name.toLowerCase()}/`})
  const mine: LocalMap = {...file, name: 'Alpha', obstacles: [{x: 0, y: 0}]}
  const bases = new Map([['Alpha', {file: 'm.map', url: alpha.url, state: alpha}]])
  const knowing = (maps: RemoteMap[], gone: boolean): Knowledge => {
    const k = knowledgeOf(maps.map((map) => ({map})))
    if (gone) k.maps.set('Alpha', {name: 'Alpha', evidence: {kind: 'gone', at: 0, listed: false}, refuted: [], conflicts: [], lost: 0, observed: null})
    return k
  }
  const run = (k: Knowledge) => mergeAll({...input, loaded: {...loaded, maps: [mine]}}, k, bases).maps.map((m) => [m.name, m.action, m.renamedFrom, m.renamedOn])

  it('is told by the old URL answering 404 and one new map holding what the base held: the file takes the name', () => {
    assert.deepEqual(run(knowing([as('Delta')], true)), [['Delta', 'merge', 'Alpha', 'server']])
  })

  it('is not told on less: the old URL not proven gone, or two maps that could be it', () => {
    assert.deepEqual(
      run(knowing([as('Delta')], false)).map(([name, action]) => [name, action]),
      [
        ['Alpha', 'unknown'],
        ['Delta', 'create-file'],
      ],
    )
    assert.ok(run(knowing([as('Delta'), as('Echo')], true)).every(([, , from]) => from === undefined))
  })
})
