import assert from 'node:assert/strict'
import {appendFile, copyFile, mkdir, mkdtemp, readFile, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterEach, beforeEach, describe, it} from 'node:test'

import type {RemoteMap} from '../../../src/model/types.js'
import {Journal, JOURNAL_FORMAT, JournalError, STATE_DIR} from '../../../src/sync/journal.js'
import type {Operation} from '../../../src/sync/plan-types.js'
import {explain, learn} from '../../../src/sync/knowledge.js'
import {fingerprint} from '../../../src/sync/state-model.js'

const SERVER = 'http://127.0.0.1:1'
const URL = `${SERVER}/api/maps/m/`
const BASE: RemoteMap = {name: 'M', slug: 'm', url: URL, width: 3, height: 3, observers: [], obstacles: [{x: 0, y: 0}]}

type OpBody = Operation extends infer O ? (O extends Operation ? Omit<O, 'id' | 'map' | 'phase' | 'dependsOn' | 'reason'> : never) : never
const op = (id: number, o: OpBody): Operation => ({id, map: 'M', phase: 3, dependsOn: [], reason: 'test', ...o})

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
    assert.deepEqual(
      record.writes.map((x) => [x.op.id, x.state]),
      [
        [0, 'acknowledged'],
        [1, 'uncertain'],
      ],
    )
    assert.deepEqual(
      again.interruptedRuns().map((r) => r.inFlight),
      [1],
    )
  })

  it('skips a torn last line and says so', async () => {
    const {journal} = await Journal.load(dir)
    const w = await journal.begin(SERVER, 'push')
    w.startMap('M', {url: URL, before: null})
    await w.end(0)
    await appendFile(Journal.pathFor(dir), '{"t":"run","ru')
    const {journal: again, warning} = await Journal.load(dir)
    assert.match(warning!, /its last line was cut off mid-write/)
    assert.equal(again.recordsFor(SERVER).get('M')!.before, null)
    assert.deepEqual(again.interruptedRuns(), [])
  })

  it('stops at a damaged line that is not the last, naming the file and line, with exit 11', async () => {
    const {journal} = await Journal.load(dir)
    const w = await journal.begin(SERVER, 'push')
    w.startMap('M', {url: URL, before: null})
    await w.end(0)
    await appendFile(Journal.pathFor(dir), '{"t":"run","ru\n{"t":"end","run":"x","exitCode":0,"at":"2026-01-01T00:00:00Z"}\n')
    await assert.rejects(Journal.load(dir), (error: Error) => {
      assert.ok(error instanceof JournalError)
      assert.equal(error.exitCode, 11)
      assert.match(error.message, new RegExp(`journal\\.ndjson:4: not JSON\\. Move the file aside`))
      return true
    })
  })

  it('refuses a line of a newer format, and a line that is JSON but not a journal event', async () => {
    const file = Journal.pathFor(dir)
    await mkdir(path.dirname(file), {recursive: true})
    await appendFile(file, `${JSON.stringify({v: JOURNAL_FORMAT + 1, t: 'run', run: 'r', server: SERVER, command: 'push', at: 'now', pid: 1})}\n`)
    await assert.rejects(Journal.load(dir), /journal\.ndjson:1: written in journal format 3 by a newer gridsync/)
    await appendFile(file, '')
    await rm(file)
    await appendFile(file, `${JSON.stringify({t: 'send', run: 'r', op: {id: 'one'}})}\n`)
    await assert.rejects(Journal.load(dir), /journal\.ndjson:1: not a journal event at op/)
  })

  it('reads a journal of format 1 (no versions, no write times) and takes the end of its writes as their time', async () => {
    const file = Journal.pathFor(dir)
    await mkdir(path.dirname(file), {recursive: true})
    const at = '2026-01-01T10:00:00.000Z'
    const record = {
      url: URL,
      before: 'fp',
      after: {...BASE, obstacles: []},
      at,
      run: 'r',
      writes: [{op: op(0, {kind: 'createObstacle', position: {x: 1, y: 1}}), state: 'acknowledged'}],
    }
    await appendFile(file, `${JSON.stringify({t: 'record', server: SERVER, map: 'M', record})}\n`)
    const {journal} = await Journal.load(dir)
    assert.equal(journal.recordsFor(SERVER).get('M')!.wroteAt, at)
    assert.deepEqual(journal.recordsFor(SERVER).get('M')!.refuted, [])
  })

  it('turns a failed write of the journal into a JournalError (exit 11), and sends nothing after it', async () => {
    const {journal} = await Journal.load(dir)
    const w = await journal.begin(SERVER, 'push')
    // Closing the file under the writer makes every later write fail, as a full or read-only disk would.
    await (w as unknown as {handle: {close(): Promise<void>}}).handle.close()
    await assert.rejects(
      w.intend([op(0, {kind: 'createObstacle', position: {x: 0, y: 0}})]),
      (error: Error) => error instanceof JournalError && error.exitCode === 11 && /cannot write the journal/.test(error.message),
    )
  })

  it('writes every intended operation to disk before intend() resolves', async () => {
    const {journal} = await Journal.load(dir)
    const w = await journal.begin(SERVER, 'push')
    await Promise.all([0, 1, 2].map((id) => w.intend([op(id, {kind: 'createObstacle', position: {x: id, y: 0}})])))
    const text = await readFile(Journal.pathFor(dir), 'utf8')
    assert.equal(text.split('\n').filter((l) => l.includes('"t":"send"')).length, 3)
    await w.end(0)
  })

  it("carries earlier writes and refuted deletes into a later record, so they stay gridsync's", async () => {
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

describe('reading the journal', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gridsync-journal-'))
  })
  afterEach(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  it('reads lines longer than a read, with characters of every width cut anywhere', async () => {
    // 9 bytes a repeat (2, 3 and 4 bytes a character): one of the nine paddings puts a read's end inside a character.
    const name = 'ä€😀'.repeat(20_000)
    for (let padding = 0; padding < 9; padding++) {
      const {journal} = await Journal.load(dir)
      const w = await journal.begin(SERVER, 'push')
      w.startMap('M', {url: `${URL}${'p'.repeat(padding)}`, before: 'fp', base: {...BASE, observers: [{name, slug: 'o', url: `${URL}observers/o/`, x: 1, y: 1, vision: null}]}})
      await w.end(0)
      const {journal: again, warning} = await Journal.load(dir)
      assert.equal(warning, undefined)
      assert.equal(again.recordsFor(SERVER).get('M')!.after!.observers[0]!.name, name)
    }
  })

  it('gives up its records when a run begins: the run has read them', async () => {
    const {journal} = await Journal.load(dir)
    await (await journal.begin(SERVER, 'push')).end(0)
    await appendFile(
      Journal.pathFor(dir),
      `${JSON.stringify({t: 'record', server: SERVER, map: 'M', record: {url: URL, before: null, after: BASE, at: new Date().toISOString(), run: 'r', writes: []}})}\n`,
    )
    const {journal: again} = await Journal.load(dir)
    assert.equal(again.recordsFor(SERVER).size, 1)
    await (await again.begin(SERVER, 'push')).end(0)
    assert.equal(again.recordsFor(SERVER).size, 0)
  })

  it('keeps to the latest starting point of a map, whichever came first', async () => {
    const {journal} = await Journal.load(dir)
    for (const x of [0, 1, 2]) {
      const w = await journal.begin(SERVER, 'push')
      w.startMap('M', {url: URL, before: `fp${x}`, base: {...BASE, obstacles: [{x, y: 0}]}})
      await w.end(0)
    }

    const record = {url: URL, before: 'fp3', after: {...BASE, obstacles: [{x: 3, y: 0}]}, at: new Date().toISOString(), wroteAt: null, refuted: [], run: 'r', writes: []}
    await appendFile(Journal.pathFor(dir), `${JSON.stringify({t: 'record', server: SERVER, map: 'M', record})}\n`)
    const w = await journal.begin(SERVER, 'push')
    w.startMap('M', {url: URL, before: 'fp4', base: {...BASE, obstacles: [{x: 4, y: 0}]}})
    await w.end(0)
    const {journal: again} = await Journal.load(dir)
    assert.equal(again.recordsFor(SERVER).get('M')!.before, 'fp4')
    assert.deepEqual(again.recordsFor(SERVER).get('M')!.after!.obstacles, [{x: 4, y: 0}])
  })
})

describe('explain: a trusted read against what gridsync left', () => {
  const left: RemoteMap = {...BASE, obstacles: [{x: 1, y: 1}]}
  const record = {
    url: URL,
    before: 'fp',
    after: left,
    at: new Date().toISOString(),
    wroteAt: new Date().toISOString(),
    refuted: [],
    run: 'r',
    writes: [
      {op: op(0, {kind: 'deleteObstacle', position: {x: 0, y: 0}}), state: 'acknowledged' as const},
      {op: op(1, {kind: 'createObstacle', position: {x: 1, y: 1}}), state: 'acknowledged' as const},
    ],
  }

  it('calls an acknowledged delete that the read still shows refuted, and a create whose answer was lost and that did not happen lost', () => {
    const uncertain = {...record, writes: [record.writes[0]!, {...record.writes[1]!, state: 'uncertain' as const}]}
    const read = {...BASE, obstacles: [{x: 0, y: 0}]}
    const {refuted, conflicts, lost} = explain(read, uncertain)
    assert.deepEqual(
      refuted.map((o) => o.id),
      [0],
    )
    assert.deepEqual(conflicts, [])
    assert.equal(lost, 1)
  })

  it('calls a write whose answer was lost explained only when the read shows the object as it was before that write', () => {
    const created = {op: op(2, {kind: 'createObserver', observer: {name: 'Y', x: 1, y: 0, vision: null}}), state: 'uncertain' as const}
    const withY = {...record, after: {...left, observers: [{name: 'Y', slug: 'y', url: '', x: 1, y: 0, vision: null}]}, writes: [...record.writes, created]}
    // Not there: the create was lost.
    assert.equal(explain({...left}, withY).lost, 1)
    // There, somewhere else: it happened, and someone moved it.
    const moved = explain({...left, observers: [{name: 'Y', slug: 'y', url: '', x: 0, y: 0, vision: null}]}, withY)
    assert.equal(moved.lost, 0)
    assert.deepEqual(
      moved.conflicts.map((c) => c.what),
      ['observer "Y"'],
    )
  })

  it("calls any other change someone else's, whoever made the object: a conflict from what gridsync knew to what the server holds", () => {
    // (1,1) was created by gridsync and acknowledged, then removed by someone else; X and (2,2) are new.
    const read = {...left, obstacles: [{x: 2, y: 2}], observers: [{name: 'X', slug: 'x', url: '', x: 0, y: 0, vision: null}]}
    const {refuted, conflicts} = explain(read, record)
    assert.deepEqual(refuted, [])
    assert.deepEqual(conflicts.map((c) => `${c.what}: ${c.a} -> ${c.b}`).sort(), [
      'observer "X": null -> at (0,0), vision unlimited',
      'obstacle (1,1): present -> null',
      'obstacle (2,2): null -> present',
    ])
  })
})

describe('a journal written by an earlier version', () => {
  const FIXTURE = fileURLToPath(new globalThis.URL('../../fixtures/journal/earlier-push.ndjson', import.meta.url))
  const FIXTURE_URL = `${SERVER}/api/maps/m/`
  // The starting point recorded in the fixture: the server's answer the push was planned from.
  const answered: RemoteMap = {
    name: 'M',
    slug: 'm',
    url: FIXTURE_URL,
    width: 101,
    height: 12,
    observers: [
      {name: 'Obs B', slug: 'obs-b', url: `${FIXTURE_URL}observers/obs-b/`, x: 5, y: 5, vision: 6},
      {name: 'Obs A', slug: 'obs-a', url: `${FIXTURE_URL}observers/obs-a/`, x: 1, y: 2, vision: null},
    ],
    obstacles: [
      {x: 100, y: 11},
      {x: 9, y: 0},
      {x: 10, y: 0},
      {x: 0, y: 10},
      {x: 1, y: 0},
      {x: 0, y: 9},
      {x: 100, y: 0},
      {x: 9, y: 0},
      {x: 0, y: 0},
      {x: 10, y: 1},
    ],
  }
  const left = [
    {x: 10, y: 0},
    {x: 0, y: 10},
    {x: 1, y: 0},
    {x: 0, y: 9},
    {x: 100, y: 0},
    {x: 0, y: 0},
    {x: 10, y: 1},
    {x: 50, y: 6},
    {x: 100, y: 11},
  ]

  let dir: string
  let at: number
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gridsync-journal-'))
    await mkdir(path.join(dir, STATE_DIR))
    await copyFile(FIXTURE, Journal.pathFor(dir))
    const {journal} = await Journal.load(dir)
    at = Date.parse(journal.recordsFor(SERVER).get('M')!.at)
  })
  afterEach(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  const read = async (answer: RemoteMap, now: number) => {
    const {journal} = await Journal.load(dir)
    const client = {
      listMaps: async () => [{name: 'M', slug: 'm', url: FIXTURE_URL, width: answer.width, height: answer.height}],
      getMap: async () => answer,
    }
    const k = await learn(client, {wanted: () => true, allRecorded: false, records: journal.recordsFor(SERVER), cacheMs: 360_000, now: () => now, concurrency: 1})
    return k.maps.get('M')!
  }

  it('replays into the state its writes left, in the order it was always given', async () => {
    const {journal, warning} = await Journal.load(dir)
    const record = journal.recordsFor(SERVER).get('M')!
    assert.equal(warning, undefined)
    assert.equal(record.before, fingerprint(answered))
    assert.deepEqual(record.after!.obstacles, left)
    assert.deepEqual(
      record.writes.map((w) => [w.op.id, w.state]),
      [
        [0, 'acknowledged'],
        [1, 'acknowledged'],
        [2, 'acknowledged'],
        [3, 'acknowledged'],
      ],
    )
    assert.deepEqual(journal.interruptedRuns(), [])
  })

  it('recognises a stale answer by the fingerprint it recorded, and plans from its record', async () => {
    const soon = await read(structuredClone(answered), at + 1000)
    assert.equal(soon.evidence.kind, 'writes')
    assert.equal(soon.evidence.until, at + 360_000)
    assert.deepEqual(soon.state!.obstacles, left)
    const late = await read(structuredClone(answered), at + 400_000)
    assert.deepEqual([late.evidence.kind, late.evidence.trust], ['read', 'older-than-cache'], 'past the cache time the answer is trusted')
  })

  it("finds the acknowledged delete the server did not carry out, and someone else's obstacle", async () => {
    const answer = {...structuredClone(answered), obstacles: [...left, {x: 9, y: 0}, {x: 3, y: 3}]}
    // Within the cache time even this answer proves nothing: it may be one filled between gridsync's writes.
    assert.equal((await read(answer, at + 1000)).evidence.kind, 'writes')
    const k = await read(answer, at + 400_000)
    assert.equal(k.evidence.kind, 'read')
    assert.deepEqual(
      k.refuted.map((op) => op.id),
      [0],
    )
    assert.deepEqual(
      k.conflicts.map((c) => c.what),
      ['obstacle (3,3)'],
    )
  })
})

describe('compacting a large journal', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gridsync-journal-'))
  })
  afterEach(async () => {
    await rm(dir, {recursive: true, force: true})
  })

  it('rewrites it as one record a map, which replays into the same state', async () => {
    // A 2,000x2,000 map with every 16th tile an obstacle: its starting point alone is over 4 MB of text.
    const obstacles = Array.from({length: 250_000}, (_, i) => ({x: (i * 16) % 2000, y: Math.floor((i * 16) / 2000)}))
    const big: RemoteMap = {...BASE, width: 2000, height: 2000, obstacles: [...obstacles, {x: 1999, y: 1999}]}
    const first = await Journal.load(dir)
    const w = await first.journal.begin(SERVER, 'push')
    w.startMap('M', {url: URL, before: 'fp', base: big})
    w.startMap('Small', {url: `${SERVER}/api/maps/small/`, before: null})
    const ops = [op(0, {kind: 'deleteObstacle', position: {x: 1999, y: 1999}}), op(1, {kind: 'createObstacle', position: {x: 1, y: 1999}})]
    await w.intend(ops)
    for (const o of ops) w.outcome({op: o, outcome: 'applied', durationMs: 1})
    await w.end(0)
    assert.ok((await stat(Journal.pathFor(dir))).size > 4 * 1024 * 1024)

    const {journal} = await Journal.load(dir)
    const before = journal.recordsFor(SERVER)
    await (await journal.begin(SERVER, 'push')).end(0)
    const lines = (await readFile(Journal.pathFor(dir), 'utf8')).split('\n').filter((l) => l !== '')
    const events = lines.map((l) => JSON.parse(l) as {t: string; map?: string; record?: unknown})
    assert.deepEqual(
      events.map((e) => [e.t, e.map]),
      [
        ['record', 'M'],
        ['record', 'Small'],
        ['run', undefined],
        ['end', undefined],
      ],
    )
    assert.equal(lines[0], JSON.stringify({v: JOURNAL_FORMAT, t: 'record', server: SERVER, map: 'M', record: before.get('M')}))

    const {journal: again} = await Journal.load(dir)
    assert.deepEqual(again.recordsFor(SERVER), before)
    assert.deepEqual(again.recordsFor(SERVER).get('M')!.after!.obstacles, [...obstacles, {x: 1, y: 1999}])
  })
})
