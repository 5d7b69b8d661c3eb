import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {type LocalMap, type Observer, type Position, positionKey, type RemoteMap} from '../../../src/model/types.js'
import {plan, type PlanInput} from '../../../src/sync/plan.js'
import {applyToModel} from '../../../src/sync/state-model.js'
import {knowledgeOf, type ServerEntry} from '../../helpers/knowledge.js'
import {content} from '../../helpers/maps.js'

const SERVER = 'http://127.0.0.1:1'

function local(name: string, width: number, height: number, observers: Observer[] = [], obstacles: Position[] = []): LocalMap {
  return {name, width, height, file: `maps/${name}.map`, observers: observers.map((o, i) => ({...o, symbol: String.fromCodePoint(97 + i)})), obstacles}
}

function remote(name: string, width: number, height: number, observers: Observer[] = [], obstacles: Position[] = []): ServerEntry {
  const url = `${SERVER}/api/maps/${encodeURIComponent(name)}/`
  const details: RemoteMap = {
    name,
    slug: name,
    url,
    width,
    height,
    observers: observers.map((o) => ({...o, slug: o.name, url: `${url}observers/${encodeURIComponent(o.name)}/`})),
    obstacles,
  }
  return {map: details}
}

function input(over: Partial<PlanInput> & {remote?: ServerEntry[]}): PlanInput {
  const {remote: entries = [], ...rest} = over
  return {server: SERVER, local: [], invalid: [], knowledge: knowledgeOf(entries), prune: false, ...rest}
}

describe('plan', () => {
  it('creates a new map before its contents', () => {
    const p = plan(input({local: [local('A', 3, 2, [{name: 'o1', x: 0, y: 0, vision: 2}], [{x: 1, y: 1}])]}))
    assert.deepEqual(
      p.operations.map((o) => [o.kind, o.phase, o.dependsOn]),
      [
        ['createMap', 2, []],
        ['createObserver', 3, [0]],
        ['createObstacle', 3, [0]],
      ],
    )
    assert.deepEqual(p.summary, {
      maps: {create: 1, update: 0, delete: 0, unchanged: 0, rebuild: 0, rename: 0},
      observers: {create: 1, update: 0, delete: 0},
      obstacles: {create: 1, delete: 0},
    })
  })

  it('plans nothing for a map already in sync, and counts a duplicated obstacle once', () => {
    const obs = [{name: 'o1', x: 1, y: 0, vision: null}]
    const p = plan(
      input({
        local: [local('A', 3, 2, obs, [{x: 2, y: 1}])],
        remote: [
          remote('A', 3, 2, obs, [
            {x: 2, y: 1},
            {x: 2, y: 1},
          ]),
        ],
      }),
    )
    assert.equal(p.operations.length, 0)
    assert.equal(p.maps[0]!.action, 'unchanged')
  })

  it('deletes an observer on its old map before creating it on the new one', () => {
    const o = {name: 'walker', x: 0, y: 0, vision: 1}
    const p = plan(input({local: [local('A', 2, 2), local('B', 2, 2, [o])], remote: [remote('A', 2, 2, [o]), remote('B', 2, 2)]}))
    const del = p.operations.find((op) => op.kind === 'deleteObserver')!
    const create = p.operations.find((op) => op.kind === 'createObserver')!
    assert.equal(del.map, 'A')
    assert.equal(create.map, 'B')
    assert.ok(del.id < create.id && del.phase < create.phase)
    assert.ok(create.dependsOn.includes(del.id))
    assert.match(create.reason, /moves here from map "A"/)
  })

  it('grows a map before placing things beyond its old size', () => {
    const p = plan(input({local: [local('A', 5, 5, [], [{x: 4, y: 4}])], remote: [remote('A', 2, 2)]}))
    const [resize, place] = p.operations
    assert.equal(resize!.kind, 'updateMap')
    assert.equal(place!.kind, 'createObstacle')
    assert.deepEqual(place!.dependsOn, [resize!.id])
    assert.deepEqual(p.maps[0]!.resize, {from: {width: 2, height: 2}, to: {width: 5, height: 5}})
  })

  it('keeps maps only on the server unless --prune, and never prunes from an empty directory', () => {
    assert.equal(plan(input({remote: [remote('Z', 1, 1)], local: [local('A', 1, 1)]})).maps.find((m) => m.name === 'Z')!.action, 'untracked')
    const pruned = plan(input({remote: [remote('Z', 1, 1)], local: [local('A', 1, 1)], prune: true}))
    assert.equal(pruned.maps.find((m) => m.name === 'Z')!.action, 'delete')
    const empty = plan(input({remote: [remote('Z', 1, 1)], prune: true}))
    assert.equal(empty.operations.length, 0)
    assert.match(empty.warnings.join('\n'), /nothing is pruned/)
  })

  it('leaves the map of an invalid file alone, and prunes nothing when a file has no readable name', () => {
    const named = plan(input({remote: [remote('Bad', 1, 1)], local: [local('A', 1, 1)], invalid: [{file: 'maps/bad.map', name: 'Bad', problems: []}], prune: true}))
    assert.equal(named.maps.find((m) => m.name === 'Bad')!.action, 'invalid')
    assert.ok(!named.operations.some((op) => op.map === 'Bad'))
    const unnamed = plan(input({remote: [remote('Bad', 1, 1)], local: [local('A', 1, 1)], invalid: [{file: 'maps/empty.map', problems: []}], prune: true}))
    assert.ok(!unnamed.operations.some((op) => op.kind === 'deleteMap'))
  })

  it("calls someone else's change a conflict only where the file differs from it: the same edit on both sides blocks nothing", () => {
    const entry = remote('A', 6, 1, [{name: 'o1', x: 2, y: 0, vision: 0}], [{x: 4, y: 0}])
    // gridsync last knew no obstacle at (4,0); someone else added it, as the file did.
    entry.map.obstacles = [{x: 4, y: 0}]
    const knowledge = knowledgeOf([entry])
    knowledge.maps.get('A')!.conflicts.push({key: 'obstacle:4,0', what: 'obstacle (4,0)', a: null, b: 'present'})
    const agreeing = plan({...input({local: [local('A', 6, 1, [], [{x: 4, y: 0}])]}), knowledge})
    assert.equal(agreeing.maps[0]!.action, 'update', 'the observer delete goes ahead')
    assert.deepEqual(
      agreeing.operations.map((op) => op.kind),
      ['deleteObserver'],
    )
    const differing = plan({...input({local: [local('A', 6, 1)]}), knowledge})
    assert.equal(differing.maps[0]!.action, 'conflict')
    assert.deepEqual(
      differing.maps[0]!.conflicts?.map((c) => c.what),
      ['obstacle (4,0)'],
    )
  })

  it('limits the plan to --only maps', () => {
    const p = plan(input({local: [local('A', 1, 1), local('B', 1, 1)], only: ['B']}))
    assert.deepEqual(
      p.maps.map((m) => m.name),
      ['B'],
    )
  })
})

// Generators: a handful of map names and observer names so local and remote overlap.
const mapNames = ['A', 'B', 'C', 'D']
const observerNames = ['o1', 'o2', 'o3', 'o4', 'o5', 'o6']

const arbMaps = fc
  .tuple(
    fc.subarray(mapNames),
    fc.array(fc.tuple(fc.constantFrom(...observerNames), fc.nat(3), fc.nat(3), fc.option(fc.nat(5), {nil: null}), fc.constantFrom(...mapNames)), {maxLength: 8}),
    fc.array(fc.tuple(fc.constantFrom(...mapNames), fc.nat(3), fc.nat(3)), {maxLength: 20}),
    fc.array(fc.tuple(fc.integer({min: 1, max: 4}), fc.integer({min: 1, max: 4})), {minLength: 4, maxLength: 4}),
  )
  .map(([names, observers, obstacles, sizes]) => {
    const seen = new Set<string>()
    return names.map((name) => {
      const [width, height] = sizes[mapNames.indexOf(name)]!
      return {
        name,
        width,
        height,
        observers: observers.filter(([o, , , , m]) => m === name && !seen.has(o) && seen.add(o)).map(([o, x, y, vision]) => ({name: o, x: x % width, y: y % height, vision})),
        obstacles: obstacles.filter(([m]) => m === name).map(([, x, y]) => ({x: x % width, y: y % height})),
      }
    })
  })

describe('plan (properties)', () => {
  it('applying the plan to the remote state yields the local state', () => {
    fc.assert(
      fc.property(arbMaps, arbMaps, (locals, remotes) => {
        const localMaps = locals.map((m) => local(m.name, m.width, m.height, m.observers, [...new Map(m.obstacles.map((p) => [positionKey(p), p])).values()]))
        const remoteEntries = remotes.map((m) => remote(m.name, m.width, m.height, m.observers, m.obstacles))
        const p = plan(input({local: localMaps, remote: remoteEntries, prune: true}))
        if (localMaps.length === 0) {
          // The empty-directory guard: nothing at all is done.
          assert.equal(p.operations.length, 0)
          return
        }

        // Observers are unique server-wide at every point: replay the phases in order.
        const live = new Set(remotes.flatMap((m) => m.observers.map((o) => o.name)))
        for (const op of p.operations) {
          if (op.kind === 'deleteObserver') live.delete(op.observer.name)
          if (op.kind === 'deleteMap') for (const o of remotes.find((m) => m.name === op.map)!.observers) live.delete(o.name)
          if (op.kind === 'createObserver') {
            assert.ok(!live.has(op.observer.name), `observer ${op.observer.name} created while it still exists`)
            live.add(op.observer.name)
          }
        }

        for (const name of mapNames) {
          const before = remoteEntries.find((r) => r.map.name === name)?.map
          const after = applyToModel(
            before,
            p.operations.filter((op) => op.map === name),
          )
          assert.deepEqual(content(after), content(localMaps.find((m) => m.name === name)))
        }

        // Phases never go backwards, and dependencies point to earlier operations.
        for (const op of p.operations) for (const d of op.dependsOn) assert.ok(p.operations[d]!.phase < op.phase)
      }),
      {numRuns: 300},
    )
  })
})
