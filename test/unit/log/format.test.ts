import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {type EventBody, formatEvent, formatText, levelOf, summaryLine} from '../../../src/log/index.js'
import {runStartEvent, withoutCredentials} from '../../../src/log/events.js'
import {operationEvent, pullMapEvent} from '../../../src/presenters/run-log.js'
import {OPS, result, stamped, TIME} from './fixtures.js'

const RUN_END: EventBody = {
  event: 'run-end',
  exitCode: 0,
  durationMs: 1234,
  counts: {applied: 76, failed: 0},
  summary: '76 applied, 0 failed, 0 skipped; 4 maps verified',
}

describe('text log lines', () => {
  it('names each operation by kind and object, with its outcome and time', () => {
    const texts = OPS.map((op) => formatText(stamped(operationEvent(result(op)))))
    assert.deepEqual(texts, [
      `${TIME} push create map on "Fancy Map": applied 12 ms`,
      `${TIME} push update map on "Fancy Map": applied 12 ms`,
      `${TIME} push delete map on "Fancy Map": applied 12 ms`,
      `${TIME} push create observer "Fancy Observer A" on "Fancy Map": applied 12 ms`,
      `${TIME} push update observer "Fancy Observer B" on "Fancy Map": applied 12 ms`,
      `${TIME} push delete observer "Fancy Observer D" on "Fancy Map": applied 12 ms`,
      `${TIME} push create obstacle (3,4) on "Fancy Map": applied 12 ms`,
      `${TIME} push delete obstacle (4,5) on "Fancy Map": applied 12 ms`,
    ])
  })

  it('adds the HTTP status and the reason of a failure', () => {
    const e = stamped(operationEvent(result(OPS[6]!, {outcome: 'failed', status: 500, detail: 'the server failed', durationMs: 40})))
    assert.equal(formatText(e), `${TIME} push create obstacle (3,4) on "Fancy Map": failed 40 ms (HTTP 500): the server failed`)
  })

  it('writes one line for every kind of event', () => {
    const bodies: EventBody[] = [
      runStartEvent({version: '1.2.3', server: 'https://maps.example.org', mapsDir: './maps', pid: 42}),
      {
        event: 'plan',
        summary: {maps: {create: 1, update: 2, delete: 0, unchanged: 3, rebuild: 0, rename: 0}, observers: {create: 4, update: 1, delete: 0}, obstacles: {create: 9, delete: 1}},
        operations: 15,
        invalidFiles: 1,
        conflicts: 2,
      },
      {event: 'conflict', map: 'Small', detail: 'changed on the server by someone else: obstacle (0,1) was added'},
      {
        event: 'verify',
        map: 'Fancy Map',
        verdict: 'not-applied',
        differences: ['obstacle (4,5) still present', 'obstacle (6,5) still present'],
        advice: null,
        evidence: null,
        evidenceAt: null,
        until: null,
      },
      {event: 'verify', map: 'Garden', verdict: 'confirmed', differences: [], advice: null, evidence: null, evidenceAt: null, until: null},
      {event: 'invalid-file', file: 'maps/broken.map', map: 'Broken', problems: ['maps/broken.map:3:2: row 2 is short', 'maps/broken.map:4:1: no legend']},
      pullMapEvent({name: 'Garden', status: 'written', file: 'maps/garden.map', backup: 'maps/.gridsync/backup/x/garden.map'}),
      pullMapEvent({name: 'Odd', status: 'skipped', reason: 'two observers on one tile'}),
      {event: 'warning', message: 'TLS certificate verification is OFF'},
      {event: 'error', message: 'cannot reach the server', exitCode: 6},
      RUN_END,
    ]
    assert.deepEqual(
      bodies.map((b) => formatText(stamped(b))),
      [
        `${TIME} push started: gridsync 1.2.3, server https://maps.example.org, maps dir ./maps, pid 42`,
        `${TIME} push plan: 1 map to create, 2 to update, 0 to delete, 3 unchanged; observers +4 ~1 -0; obstacles +9 -1; 15 operations; 1 invalid file; 2 maps in conflict`,
        `${TIME} push conflict "Small": changed on the server by someone else: obstacle (0,1) was added`,
        `${TIME} push verify "Fancy Map": not-applied: obstacle (4,5) still present; obstacle (6,5) still present`,
        `${TIME} push verify "Garden": confirmed`,
        `${TIME} push invalid file maps/broken.map ("Broken"): maps/broken.map:3:2: row 2 is short; maps/broken.map:4:1: no legend`,
        `${TIME} push map "Garden": written maps/garden.map (previous content kept in maps/.gridsync/backup/x/garden.map)`,
        `${TIME} push map "Odd": skipped: two observers on one tile`,
        `${TIME} push warning: TLS certificate verification is OFF`,
        `${TIME} push error: cannot reach the server (exit 6)`,
        `${TIME} push finished: 76 applied, 0 failed, 0 skipped; 4 maps verified; exit 0 in 1.2 s`,
      ],
    )
  })

  it('leaves out what a run without a server or maps directory does not have', () => {
    assert.equal(formatText(stamped(runStartEvent({version: '1.0.0', pid: 7}), 'validate')), `${TIME} validate started: gridsync 1.0.0, pid 7`)
  })

  it('keeps a name with a newline or a direction override on one readable line', () => {
    const e = stamped({event: 'verify', map: 'Evil\nMap\u202E', verdict: 'confirmed', differences: [], advice: null, evidence: null, evidenceAt: null, until: null})
    const text = formatText(e)
    assert.equal(text.includes('\n'), false)
    assert.equal(text, `${TIME} push verify "Evil\\u000aMap\\u202e": confirmed`)
  })

  it('ends a run with a summary line that has no time stamp', () => {
    const e = stamped(RUN_END)
    assert.ok(e.event === 'run-end')
    assert.equal(summaryLine(e), 'gridsync push: 76 applied, 0 failed, 0 skipped; 4 maps verified; exit 0 in 1.2 s')
  })
})

describe('JSON log lines', () => {
  it('are one JSON object per line, with the common keys first and every key of the type present', () => {
    const keys = (body: EventBody): string[] => {
      const line = formatEvent(stamped(body), 'json')
      assert.equal(line.includes('\n'), false)
      return Object.keys(JSON.parse(line) as object)
    }
    const head = ['time', 'level', 'event', 'command']
    // The same keys in the same order whether optional values are there or not.
    assert.deepEqual(keys(operationEvent(result(OPS[0]!))), [...head, 'id', 'kind', 'map', 'object', 'outcome', 'status', 'detail', 'durationMs'])
    assert.deepEqual(keys(operationEvent(result(OPS[6]!, {outcome: 'failed', status: 500, detail: 'x'}))), [
      ...head,
      'id',
      'kind',
      'map',
      'object',
      'outcome',
      'status',
      'detail',
      'durationMs',
    ])
    assert.deepEqual(keys(runStartEvent({version: '1', pid: 1})), [...head, 'version', 'server', 'mapsDir', 'pid'])
    assert.deepEqual(keys(pullMapEvent({name: 'A', status: 'present'})), [...head, 'name', 'status', 'file', 'backup', 'reason'])
    assert.deepEqual(keys(RUN_END), [...head, 'exitCode', 'durationMs', 'counts', 'summary'])
  })

  it('holds the values of an operation, absent ones as null', () => {
    const line = formatEvent(stamped(operationEvent(result(OPS[3]!, {durationMs: 7}))), 'json')
    assert.deepEqual(JSON.parse(line), {
      time: TIME,
      level: 'info',
      event: 'operation',
      command: 'push',
      id: 3,
      kind: 'createObserver',
      map: 'Fancy Map',
      object: 'Fancy Observer A',
      outcome: 'applied',
      status: null,
      detail: null,
      durationMs: 7,
    })
    assert.equal(JSON.parse(formatEvent(stamped(operationEvent(result(OPS[7]!))), 'json')).object, '4,5')
  })

  it('keeps a name with a newline on one line', () => {
    const line = formatEvent(stamped({event: 'warning', message: 'a\nb'}), 'json')
    assert.equal(line.split('\n').length, 1)
    assert.equal(JSON.parse(line).message, 'a\nb')
  })
})

describe('event levels', () => {
  it('are warn or error exactly for the problems', () => {
    const op = (outcome: 'applied' | 'reconciled' | 'unconfirmed' | 'failed' | 'skipped') => levelOf(operationEvent(result(OPS[0]!, {outcome})))
    assert.deepEqual([op('applied'), op('reconciled'), op('unconfirmed'), op('skipped'), op('failed')], ['info', 'info', 'warn', 'warn', 'error'])
    const verdict = (v: 'confirmed' | 'unconfirmed' | 'not-applied' | 'incomplete') =>
      levelOf({event: 'verify', map: 'm', verdict: v, differences: [], advice: null, evidence: null, evidenceAt: null, until: null})
    assert.deepEqual([verdict('confirmed'), verdict('unconfirmed'), verdict('not-applied'), verdict('incomplete')], ['info', 'warn', 'error', 'error'])
    const end = (exitCode: number) => levelOf({...RUN_END, exitCode})
    assert.deepEqual([end(0), end(3), end(8), end(4), end(6)], ['info', 'info', 'warn', 'error', 'error'])
    const pulled = (status: 'written' | 'present' | 'would-write' | 'skipped' | 'failed') => levelOf(pullMapEvent({name: 'n', status}))
    assert.deepEqual([pulled('written'), pulled('present'), pulled('would-write'), pulled('skipped'), pulled('failed')], ['info', 'info', 'info', 'warn', 'error'])
  })
})

describe('the server in run-start', () => {
  it('loses a user name and password but is otherwise kept as given', () => {
    assert.equal(withoutCredentials('https://alice:hunter22@maps.example.org/base'), 'https://maps.example.org/base')
    assert.equal(withoutCredentials('https://maps.example.org'), 'https://maps.example.org')
    assert.equal(withoutCredentials('sandbox'), 'sandbox')
    assert.equal(runStartEvent({version: '1', server: 'http://u:p@127.0.0.1:5000/', pid: 1}).server, 'http://127.0.0.1:5000/')
  })
})
