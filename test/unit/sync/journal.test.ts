import assert from 'node:assert/strict'
import {appendFile, mkdtemp, readFile, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, it} from 'node:test'

import type {RemoteMap} from '../../../src/model/types.js'
import {Journal} from '../../../src/sync/journal.js'
import type {Operation} from '../../../src/sync/plan-types.js'
import {explain} from '../../../src/sync/remote-state.js'

const SERVER = 'http://127.0.0.1:1'
const URL = `${SERVER}/api/maps/m/`
const BASE: RemoteMap = {name: 'M', slug: 'm', url: URL, width: 3, height: 3, observers: [], obstacles: [{x: 0, y: 0}]}

type OpBody = Operation extends infer O ? (O extends Operation ? Omit<O, 'id' | 'map' | 'phase' | 'dependsOn' | 'reason'> : never) : never
const op = (id: number, o: OpBody): Operation => ({id, map: 'M', phase: 3, dependsOn: [], reason: 'test', ...o}) as Operation

describe('journal', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gridsync-journal-'))
  })
  afterEach(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  it('replays acknowledged and in-flight operations, but not failed ones, into the state the writes left', async () => {
    const {journal} = await Journal.load(dir)
    const w = await journal.begin(SERVER, 'push')
    w.startMap('M', {url: URL, before: 'fp-before', base: BASE})
    await w.intend([op(0, {kind: 'createObstacle', position: {x: 1, y: 1}})])
    await w.intend([op(1, {kind: 'createObstacle', position: {x: 2, y: 2}})])
    await w.intend([op(2, {kind: 'deleteObstacle', position: {x: 0, y: 0}})])
    w.outcome({op: op(0, {kind: 'createObstacle', position: {x: 1, y: 1}}), outcome: 'applied', durationMs: 1})
    w.outcome({op: op(2, {kind: 'deleteObstacle', position: {x: 0, y: 0}}), outcome: 'failed', durationMs: 1})
    await w.flush()
    // Killed here: op 1 has no outcome, and there is no end.

    const {journal: again} = await Journal.load(dir)
    const record = again.recordsFor(SERVER).get('M')!
    assert.equal(record.before, 'fp-before')
    assert.deepEqual(record.after!.obstacles.map((p) => `${p.x},${p.y}`).sort(), ['0,0', '1,1', '2,2'])
    assert.deepEqual(record.writes.map((x) => [x.op.id, x.state]), [[0, 'acknowledged'], [1, 'uncertain']])
    assert.deepEqual(again.interruptedRuns().map((r) => r.inFlight), [1])
  })

  it('skips a torn last line and says so', async () => {
    const {journal} = await Journal.load(dir)
    const w = await journal.begin(SERVER, 'push')
    w.startMap('M', {url: URL, before: null})
    await w.end(0)
    await appendFile(Journal.pathFor(dir), '{"t":"run","ru')
    const {journal: again, warning} = await Journal.load(dir)
    assert.match(warning!, /1 unreadable line skipped/)
    assert.equal(again.recordsFor(SERVER).get('M')!.before, null)
    assert.deepEqual(again.interruptedRuns(), [])
  })

  it('writes every intended operation to disk before intend() resolves', async () => {
    const {journal} = await Journal.load(dir)
    const w = await journal.begin(SERVER, 'push')
    await Promise.all([0, 1, 2].map((id) => w.intend([op(id, {kind: 'createObstacle', position: {x: id, y: 0}})])))
    const text = await readFile(Journal.pathFor(dir), 'utf8')
    assert.equal(text.split('\n').filter((l) => l.includes('"t":"send"')).length, 3)
    await w.end(0)
  })

  it('carries earlier writes and refuted deletes into a later record, so they stay gridsync\'s', async () => {
    const {journal} = await Journal.load(dir)
    const w = await journal.begin(SERVER, 'push')
    const refuted = op(7, {kind: 'deleteObstacle', position: {x: 0, y: 0}})
    const earlier = {op: op(3, {kind: 'createObstacle', position: {x: 2, y: 2}}), state: 'uncertain' as const}
    w.startMap('M', {url: URL, before: 'fp', base: BASE, carry: [earlier], refuted: [refuted]})
    await w.end(0)
    const {journal: again} = await Journal.load(dir)
    const record = again.recordsFor(SERVER).get('M')!
    assert.deepEqual(record.writes, [earlier, {op: refuted, state: 'acknowledged'}])
    assert.deepEqual(record.after!.obstacles, [], 'the refuted delete counts as done; the carried create is not applied again')
  })
})

describe('explain: a trusted read against what gridsync left', () => {
  const left: RemoteMap = {...BASE, obstacles: [{x: 1, y: 1}]}
  const record = {
    url: URL,
    before: 'fp',
    after: left,
    at: new Date().toISOString(),
    run: 'r',
    writes: [
      {op: op(0, {kind: 'deleteObstacle', position: {x: 0, y: 0}}), state: 'acknowledged' as const},
      {op: op(1, {kind: 'createObstacle', position: {x: 1, y: 1}}), state: 'acknowledged' as const},
    ],
  }

  it('calls an acknowledged delete that the read still shows refuted, and a lost create neither', () => {
    const read = {...BASE, obstacles: [{x: 0, y: 0}]}
    const {refuted, conflicts} = explain(read, record)
    assert.deepEqual(refuted.map((o) => o.id), [0])
    assert.deepEqual(conflicts, [])
  })

  it("calls a change to an object gridsync did not touch someone else's: a conflict", () => {
    const read = {...left, obstacles: [{x: 1, y: 1}, {x: 2, y: 2}], observers: [{name: 'X', slug: 'x', url: '', x: 0, y: 0, vision: null}]}
    const {refuted, conflicts} = explain(read, record)
    assert.deepEqual(refuted, [])
    assert.deepEqual(conflicts.sort(), ['observer "X" was added at (0,0)', 'obstacle (2,2) was added'])
  })
})
