import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {type GridMap, type Observer} from '../../../src/model/types.js'
import {type MapMerge, mergeMap, type ObjectState, type Prefer} from '../../../src/sync/merge.js'
import {content} from '../../helpers/maps.js'

// ---------------------------------------------------------------------------------
// An independent reading of a map as objects: key -> value, written here from the
// header's definition (size, observers by name, obstacles by tile, a repeat once).
// ---------------------------------------------------------------------------------

function objects(m: GridMap): Map<string, string> {
  const out = new Map<string, string>([['size', `${m.width}x${m.height}`]])
  for (const o of m.observers) out.set(`observer:${o.name}`, `${o.x},${o.y}/${o.vision}`)
  for (const p of m.obstacles) out.set(`obstacle:${p.x},${p.y}`, 'present')
  return out
}

function keysOf(states: readonly ObjectState[]): string[] {
  return states.map((s) => s.key).sort()
}

function map(width: number, height: number, observers: Observer[] = [], obstacles: Array<[number, number]> = [], name = 'M'): GridMap {
  return {name, width, height, observers, obstacles: obstacles.map(([x, y]) => ({x, y}))}
}

const obs = (name: string, x: number, y: number, vision: number | null = 3): Observer => ({name, x, y, vision})

const BASE = map(
  6,
  4,
  [obs('Ann', 1, 1), obs('Bob', 4, 2, null)],
  [
    [2, 0],
    [3, 3],
  ],
)

function clone(m: GridMap): GridMap {
  return {...m, observers: m.observers.map((o) => ({...o})), obstacles: m.obstacles.map((p) => ({...p}))}
}

function edit(m: GridMap, f: (c: GridMap) => void): GridMap {
  const c = clone(m)
  f(c)
  return c
}

function emptyMerge(r: MapMerge): boolean {
  return r.toServer.length + r.toFile.length + r.conflicts.length === 0
}

describe('mergeMap: the rules', () => {
  it('sends a change made only in the file to the server', () => {
    const file = edit(BASE, (m) => (m.observers[0]!.x = 5))
    const r = mergeMap({name: 'M', base: BASE, file, server: clone(BASE)})
    assert.deepEqual(r.toServer, [{key: 'observer:Ann', what: 'observer "Ann"', base: 'at (1,1), vision 3', file: 'at (5,1), vision 3', server: 'at (1,1), vision 3'}])
    assert.deepEqual([r.toFile, r.conflicts], [[], []])
    assert.deepEqual(content(r.server), content(file))
    assert.deepEqual(content(r.file), content(file))
    assert.deepEqual(content(r.base), content(file))
  })

  it('writes a change made only on the server into the file', () => {
    const server = edit(BASE, (m) => {
      m.obstacles.push({x: 0, y: 3})
      m.observers.pop()
    })
    const r = mergeMap({name: 'M', base: BASE, file: clone(BASE), server})
    assert.deepEqual(keysOf(r.toFile), ['observer:Bob', 'obstacle:0,3'])
    assert.deepEqual(
      r.toFile.find((s) => s.key === 'observer:Bob'),
      {key: 'observer:Bob', what: 'observer "Bob"', base: 'at (4,2), vision unlimited', file: 'at (4,2), vision unlimited', server: null},
    )
    assert.deepEqual(
      r.toFile.find((s) => s.key === 'obstacle:0,3'),
      {key: 'obstacle:0,3', what: 'obstacle (0,3)', base: null, file: null, server: 'present'},
    )
    assert.deepEqual([r.toServer, r.conflicts], [[], []])
    for (const m of [r.server, r.file, r.base]) assert.deepEqual(content(m), content(server))
  })

  it('does nothing for the same change made on both sides', () => {
    const both = (m: GridMap) => {
      m.width = 9
      m.observers[1]!.vision = 7
      m.obstacles.shift()
    }
    const r = mergeMap({name: 'M', base: BASE, file: edit(BASE, both), server: edit(BASE, both)})
    assert.ok(emptyMerge(r))
    for (const m of [r.server, r.file, r.base]) assert.deepEqual(content(m), content(edit(BASE, both)))
  })

  it('reports different changes on both sides as a conflict, each side keeping its value and the base its old one', () => {
    const file = edit(BASE, (m) => {
      m.observers[0]!.y = 3
      m.height = 5
    })
    const server = edit(BASE, (m) => {
      m.observers[0]!.vision = 9
      m.width = 8
      m.obstacles.push({x: 5, y: 0})
    })
    const r = mergeMap({name: 'M', base: BASE, file, server})
    assert.deepEqual(keysOf(r.conflicts), ['observer:Ann', 'size'])
    assert.deepEqual(r.conflicts[0], {key: 'size', what: 'size', base: '6x4', file: '6x5', server: '8x4'})
    assert.deepEqual(r.conflicts[1], {key: 'observer:Ann', what: 'observer "Ann"', base: 'at (1,1), vision 3', file: 'at (1,3), vision 3', server: 'at (1,1), vision 9'})
    assert.deepEqual(keysOf(r.toFile), ['obstacle:5,0'])
    assert.deepEqual(r.toServer, [])
    assert.deepEqual(content(r.server), content(edit(server, () => {})))
    assert.deepEqual(content(r.file), content(edit(file, (m) => m.obstacles.push({x: 5, y: 0}))))
    assert.deepEqual(content(r.base), content(edit(BASE, (m) => m.obstacles.push({x: 5, y: 0}))))
  })

  it('reports a delete on one side against an edit on the other as a conflict', () => {
    const file = edit(BASE, (m) => m.observers.shift())
    const server = edit(BASE, (m) => (m.observers[0]!.x = 0))
    const r = mergeMap({name: 'M', base: BASE, file, server})
    assert.deepEqual(r.conflicts, [{key: 'observer:Ann', what: 'observer "Ann"', base: 'at (1,1), vision 3', file: null, server: 'at (0,1), vision 3'}])
    assert.deepEqual(content(r.server), content(server))
    assert.deepEqual(content(r.file), content(file))
    assert.deepEqual(content(r.base), content(BASE))
  })

  it('without a base, calls any difference a conflict and leaves both sides as they are', () => {
    const file = edit(BASE, (m) => {
      m.observers[0]!.x = 5
      m.obstacles.push({x: 0, y: 0})
    })
    const server = edit(BASE, (m) => {
      m.observers.pop()
      m.height = 6
    })
    const r = mergeMap({name: 'M', file, server})
    assert.deepEqual(keysOf(r.conflicts), ['observer:Ann', 'observer:Bob', 'obstacle:0,0', 'size'])
    assert.ok(r.conflicts.every((s) => s.base === null))
    assert.deepEqual([r.toServer, r.toFile], [[], []])
    assert.deepEqual(content(r.server), content(server))
    assert.deepEqual(content(r.file), content(file))
    // Nothing was ever agreed on for the objects in conflict: no base to record, so the next merge calls them conflicts again.
    assert.equal(r.base, undefined)
    const again = mergeMap({name: 'M', base: r.base, file: r.file, server: r.server})
    assert.deepEqual([keysOf(again.conflicts), again.toServer, again.toFile], [keysOf(r.conflicts), [], []])
    assert.deepEqual(mergeMap({name: 'M', file: clone(BASE), server: clone(BASE)}), {...mergeMap({name: 'M', base: BASE, file: BASE, server: BASE})})
  })

  it('resolves every conflict the preferred way: local sends the file, remote takes the server', () => {
    const file = edit(BASE, (m) => {
      m.observers[0]!.x = 5
      m.width = 7
    })
    const server = edit(BASE, (m) => {
      m.observers[0]!.x = 0
      m.width = 8
      m.obstacles.push({x: 1, y: 3})
    })
    for (const base of [BASE, undefined]) {
      const local = mergeMap({name: 'M', base, file, server, prefer: 'local'})
      assert.deepEqual(local.conflicts, [])
      assert.deepEqual(keysOf(local.toServer), base ? ['observer:Ann', 'size'] : ['observer:Ann', 'obstacle:1,3', 'size'])
      assert.deepEqual(content(local.server)?.observers, ['Ann@5,1/3', 'Bob@4,2/null'])
      assert.equal(local.server.width, 7)
      assert.deepEqual(content(local.file), content(local.server))
      assert.deepEqual(content(local.base), content(local.server))

      const remote = mergeMap({name: 'M', base, file, server, prefer: 'remote'})
      assert.deepEqual(remote.conflicts, [])
      assert.deepEqual(keysOf(remote.toFile), ['observer:Ann', 'obstacle:1,3', 'size'])
      assert.deepEqual(remote.toServer, [])
      for (const m of [remote.server, remote.file, remote.base]) assert.deepEqual(content(m), content(server))
    }
  })

  it('never takes a refuted server object into the file', () => {
    // gridsync deleted obstacle (3,3) and observer Bob: the server acknowledged both and still shows them.
    const file = edit(BASE, (m) => {
      m.obstacles.pop()
      m.observers.pop()
    })
    const base = clone(file)
    const server = clone(BASE)
    const r = mergeMap({name: 'M', base, file, server, refuted: new Set(['observer:Bob', 'obstacle:3,3'])})
    assert.ok(emptyMerge(r))
    for (const m of [r.server, r.file, r.base]) assert.deepEqual(content(m), content(file))

    // Without a base, or with the old one, a refuted object is still no edit of the server's.
    for (const b of [undefined, BASE]) {
      const again = mergeMap({name: 'M', base: b, file, server, refuted: new Set(['observer:Bob', 'obstacle:3,3'])})
      assert.deepEqual(again.toFile, [])
      assert.deepEqual(again.conflicts, [])
      assert.deepEqual(content(again.file), content(file))
    }

    // Unrefuted, the same server state is an edit to take into the file.
    const plain = mergeMap({name: 'M', base, file, server})
    assert.deepEqual(keysOf(plain.toFile), ['observer:Bob', 'obstacle:3,3'])
  })

  it('sends again a write of its own whose answer was lost and that did not happen, instead of taking the server’s value', () => {
    // The base records the obstacle gridsync added and the observer it moved; neither write reached the server.
    const file = edit(BASE, (m) => {
      m.obstacles.push({x: 0, y: 0})
      m.observers[0]!.x = 2
    })
    const lost = new Set(['obstacle:0,0', 'observer:Ann'])
    const r = mergeMap({name: 'M', base: clone(file), file, server: clone(BASE), lost})
    assert.deepEqual(keysOf(r.toServer), ['observer:Ann', 'obstacle:0,0'])
    assert.deepEqual([r.toFile, r.conflicts], [[], []])
    for (const m of [r.server, r.file, r.base]) assert.deepEqual(content(m), content(file))
    // Not lost, the same server state is the server's edit, to take into the file.
    assert.deepEqual(keysOf(mergeMap({name: 'M', base: clone(file), file, server: clone(BASE)}).toFile), ['observer:Ann', 'obstacle:0,0'])
  })

  it('counts a repeated obstacle once and names the result after the map', () => {
    const server = edit(BASE, (m) => m.obstacles.push({x: 2, y: 0}, {x: 2, y: 0}))
    const r = mergeMap({name: 'Renamed', base: BASE, file: clone(BASE), server})
    assert.ok(emptyMerge(r))
    assert.equal(r.server.obstacles.length, 2)
    for (const m of [r.server, r.file, r.base]) assert.equal(m?.name, 'Renamed')
  })

  it('lists objects size first, then observers by name, then obstacles by row and column', () => {
    const server = map(
      2,
      2,
      [obs('b', 0, 0), obs('a', 1, 1)],
      [
        [10, 1],
        [2, 1],
        [9, 0],
      ],
    )
    const r = mergeMap({name: 'M', file: map(3, 3), server})
    assert.deepEqual(
      r.conflicts.map((s) => s.key),
      ['size', 'observer:a', 'observer:b', 'obstacle:9,0', 'obstacle:2,1', 'obstacle:10,1'],
    )
  })
})

// ---------------------------------------------------------------------------------
// Properties over random bases and random edits of each side.
// ---------------------------------------------------------------------------------

const NAMES = ['Ann', 'Bob', 'Cy', 'Di', 'Ed', 'Fay']
const coordinate = fc.nat(7)
const vision = fc.option(fc.nat(9), {nil: null})

const baseMap = fc
  .record({
    width: fc.integer({min: 1, max: 8}),
    height: fc.integer({min: 1, max: 8}),
    observers: fc.uniqueArray(fc.record({name: fc.constantFrom(...NAMES), x: coordinate, y: coordinate, vision}), {selector: (o) => o.name, maxLength: 4}),
    obstacles: fc.array(fc.record({x: coordinate, y: coordinate}), {maxLength: 10}),
  })
  .map((m): GridMap => ({name: 'M', ...m}))

type Edit =
  | {kind: 'move'; i: number; x: number; y: number}
  | {kind: 'vision'; i: number; vision: number | null}
  | {kind: 'add-observer'; name: string; x: number; y: number; vision: number | null}
  | {kind: 'remove-observer'; i: number}
  | {kind: 'add-obstacle'; x: number; y: number}
  | {kind: 'remove-obstacle'; i: number}
  | {kind: 'resize'; width: number; height: number}

const anEdit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({kind: fc.constant('move' as const), i: fc.nat(), x: coordinate, y: coordinate}),
  fc.record({kind: fc.constant('vision' as const), i: fc.nat(), vision}),
  fc.record({kind: fc.constant('add-observer' as const), name: fc.constantFrom(...NAMES), x: coordinate, y: coordinate, vision}),
  fc.record({kind: fc.constant('remove-observer' as const), i: fc.nat()}),
  fc.record({kind: fc.constant('add-obstacle' as const), x: coordinate, y: coordinate}),
  fc.record({kind: fc.constant('remove-obstacle' as const), i: fc.nat()}),
  fc.record({kind: fc.constant('resize' as const), width: fc.integer({min: 1, max: 8}), height: fc.integer({min: 1, max: 8})}),
)

function applyEdits(base: GridMap, edits: readonly Edit[]): GridMap {
  const m = clone(base)
  for (const e of edits) {
    const n = m.observers.length
    switch (e.kind) {
      case 'move':
        if (n > 0) Object.assign(m.observers[e.i % n]!, {x: e.x, y: e.y})
        break
      case 'vision':
        if (n > 0) m.observers[e.i % n]!.vision = e.vision
        break
      case 'add-observer':
        if (!m.observers.some((o) => o.name === e.name)) m.observers.push({name: e.name, x: e.x, y: e.y, vision: e.vision})
        break
      case 'remove-observer':
        if (n > 0) m.observers.splice(e.i % n, 1)
        break
      case 'add-obstacle':
        m.obstacles.push({x: e.x, y: e.y})
        break
      case 'remove-obstacle':
        if (m.obstacles.length > 0) {
          const p = m.obstacles[e.i % m.obstacles.length]!
          m.obstacles = m.obstacles.filter((q) => q.x !== p.x || q.y !== p.y)
        }
        break
      case 'resize':
        m.width = e.width
        m.height = e.height
        break
    }
  }
  return m
}

const edits = fc.array(anEdit, {maxLength: 6})
const triple = fc.record({base: baseMap, fileEdits: edits, serverEdits: edits}).map(({base, fileEdits, serverEdits}) => ({
  base,
  file: applyEdits(base, fileEdits),
  server: applyEdits(base, serverEdits),
}))
const prefer = fc.constantFrom<Prefer | undefined>(undefined, 'local', 'remote')
const RUNS = 400

describe('mergeMap: properties over random edits of both sides', () => {
  it('classifies every object by the rules and leaves each side with the value the rules give (property-based)', () => {
    fc.assert(
      fc.property(triple, prefer, ({base, file, server}, p) => {
        const r = mergeMap({name: 'M', base, file, server, prefer: p})
        const [b, f, s] = [objects(base), objects(file), objects(server)]
        assert.ok(r.base, 'a merge with a base gives a base')
        const [rf, rs, rb] = [objects(r.file), objects(r.server), objects(r.base)]
        const expected = {toServer: [] as string[], toFile: [] as string[], conflicts: [] as string[]}
        for (const key of new Set([...b.keys(), ...f.keys(), ...s.keys()])) {
          const [bv, fv, sv] = [b.get(key), f.get(key), s.get(key)]
          let fileValue = fv
          let serverValue = sv
          let baseValue = fv
          if (fv === sv) {
            // Same on both sides: nothing to do.
          } else if (sv === bv || (fv !== bv && p === 'local')) {
            expected.toServer.push(key)
            serverValue = fv
          } else if (fv === bv || p === 'remote') {
            expected.toFile.push(key)
            fileValue = sv
            baseValue = sv
          } else {
            expected.conflicts.push(key)
            baseValue = bv
          }
          assert.equal(rf.get(key), fileValue, `file value of ${key}`)
          assert.equal(rs.get(key), serverValue, `server value of ${key}`)
          if (key !== 'size') assert.equal(rb.get(key), baseValue, `base value of ${key}`)
          else assert.equal(rb.get(key), baseValue ?? bv, 'base size')
          const state = [...r.toServer, ...r.toFile, ...r.conflicts].find((x) => x.key === key)
          if (state) assert.deepEqual([state.base !== null, state.file !== null, state.server !== null], [bv !== undefined, fv !== undefined, sv !== undefined], key)
        }
        assert.deepEqual(keysOf(r.toServer), expected.toServer.sort())
        assert.deepEqual(keysOf(r.toFile), expected.toFile.sort())
        assert.deepEqual(keysOf(r.conflicts), expected.conflicts.sort())
        if (p !== undefined) assert.deepEqual(r.conflicts, [])
      }),
      {numRuns: RUNS},
    )
  })

  it('(a) without conflicts, the server and the file end with the same content (property-based)', () => {
    fc.assert(
      fc.property(triple, prefer, ({base, file, server}, p) => {
        const r = mergeMap({name: 'M', base, file, server, prefer: p})
        if (r.conflicts.length > 0) return
        assert.deepEqual(content(r.server), content(r.file))
        assert.deepEqual(content(r.base), content(r.file))
      }),
      {numRuns: RUNS},
    )
  })

  it('(b) an object changed on one side only ends on both sides with that side’s value (property-based)', () => {
    fc.assert(
      fc.property(triple, ({base, file, server}) => {
        const r = mergeMap({name: 'M', base, file, server})
        const [b, f, s, rf, rs] = [objects(base), objects(file), objects(server), objects(r.file), objects(r.server)]
        for (const key of new Set([...b.keys(), ...f.keys(), ...s.keys()])) {
          const [bv, fv, sv] = [b.get(key), f.get(key), s.get(key)]
          const only = fv !== bv && sv === bv ? fv : sv !== bv && fv === bv ? sv : undefined
          if (fv === bv && sv === bv) assert.deepEqual([rf.get(key), rs.get(key)], [bv, bv], `${key} unchanged`)
          if ((fv !== bv) !== (sv !== bv)) assert.deepEqual([rf.get(key), rs.get(key)], [only, only], `${key} changed on one side`)
          if (fv !== bv && sv !== bv && fv !== sv) assert.deepEqual([rf.get(key), rs.get(key)], [fv, sv], `${key} in conflict`)
        }
      }),
      {numRuns: RUNS},
    )
  })

  it('(c) merging the result again has nothing to send or write, and the same conflicts (property-based)', () => {
    fc.assert(
      fc.property(triple, prefer, fc.boolean(), ({base, file, server}, p, withBase) => {
        const r = mergeMap({name: 'M', base: withBase ? base : undefined, file, server, prefer: p})
        assert.equal(r.base === undefined, !withBase && r.conflicts.length > 0, 'no base exactly when none was given and a conflict remains')
        const again = mergeMap({name: 'M', base: r.base, file: r.file, server: r.server})
        assert.deepEqual(again.toServer, [])
        assert.deepEqual(again.toFile, [])
        assert.deepEqual(keysOf(again.conflicts), keysOf(r.conflicts))
        assert.deepEqual(content(again.server), content(r.server))
        assert.deepEqual(content(again.file), content(r.file))
      }),
      {numRuns: RUNS},
    )
  })

  it('(d) swapping the file and the server swaps what goes where and keeps the conflicts (property-based)', () => {
    const swapped = (s: ObjectState): ObjectState => ({...s, file: s.server, server: s.file})
    const other = {local: 'remote', remote: 'local'} as const
    fc.assert(
      fc.property(triple, prefer, fc.boolean(), ({base, file, server}, p, withBase) => {
        const b = withBase ? base : undefined
        const r = mergeMap({name: 'M', base: b, file, server, prefer: p})
        const w = mergeMap({name: 'M', base: b, file: server, server: file, prefer: p && other[p]})
        assert.deepEqual(w.toServer, r.toFile.map(swapped))
        assert.deepEqual(w.toFile, r.toServer.map(swapped))
        assert.deepEqual(w.conflicts, r.conflicts.map(swapped))
        assert.deepEqual(content(w.server), content(r.file))
        assert.deepEqual(content(w.file), content(r.server))
        assert.deepEqual(content(w.base), content(r.base))
      }),
      {numRuns: RUNS},
    )
  })

  it('(e) a map the same in the file, on the server and in the base merges to nothing (property-based)', () => {
    fc.assert(
      fc.property(baseMap, prefer, (m, p) => {
        const r = mergeMap({name: 'M', base: clone(m), file: clone(m), server: clone(m), prefer: p})
        assert.ok(emptyMerge(r))
        for (const x of [r.server, r.file, r.base]) assert.deepEqual(content(x), content(m))
        const noBase = mergeMap({name: 'M', file: clone(m), server: clone(m), prefer: p})
        assert.ok(emptyMerge(noBase))
      }),
      {numRuns: RUNS},
    )
  })

  it('never takes the server’s value of an object whose write was lost into the file, nor calls it a conflict (property-based)', () => {
    fc.assert(
      fc.property(triple, fc.array(fc.nat(), {maxLength: 4}), ({base, file, server}, picks) => {
        const keys = [...new Set([...objects(base).keys(), ...objects(file).keys(), ...objects(server).keys()])]
        const lost = new Set(picks.map((i) => keys[i % keys.length]!))
        const r = mergeMap({name: 'M', base, file, server, lost})
        for (const key of lost) {
          assert.ok(!r.toFile.some((s) => s.key === key), `lost ${key} listed to write into the file`)
          assert.ok(!r.conflicts.some((s) => s.key === key), `lost ${key} called a conflict`)
          assert.equal(objects(r.file).get(key), objects(file).get(key), `the file's value of lost ${key} changed`)
        }
      }),
      {numRuns: RUNS},
    )
  })

  it('takes no refuted server object into the file, whatever the sides hold (property-based)', () => {
    fc.assert(
      fc.property(triple, prefer, fc.boolean(), fc.array(fc.nat(), {maxLength: 4}), ({base, file, server}, p, withBase, picks) => {
        const serverKeys = [...objects(server).keys()].filter((k) => k !== 'size')
        const refuted = new Set(serverKeys.length === 0 ? [] : picks.map((i) => serverKeys[i % serverKeys.length]!))
        const r = mergeMap({name: 'M', base: withBase ? base : undefined, file, server, prefer: p, refuted})
        const [f, rf] = [objects(file), objects(r.file)]
        for (const key of refuted) {
          if (!f.has(key)) assert.ok(!rf.has(key), `refuted ${key} came into the file`)
          assert.ok(!r.toFile.some((s) => s.key === key && s.server !== null), `refuted ${key} listed to write into the file`)
        }
      }),
      {numRuns: RUNS},
    )
  })
})
