import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import fc from 'fast-check'

import {renderApply, renderVerification} from '../../../src/render/index.js'
import type {Verdict, Verification} from '../../../src/sync/result-types.js'
import {applyOf} from './apply-fixtures.js'
import {coloured, FANCY_LOCAL, FANCY_REMOTE, local, planOf, plain, remote} from './fixtures.js'

const ESC = '\u001B['

describe('renderApply', () => {
  // Operations: 0 delete D, 1 resize, 2 delete obstacle (4,5), 3 update A, 4 update B, 5 create E, 6-7 create obstacles.
  const plan = planOf({local: [local('maps/fancy-map.map', FANCY_LOCAL)], remote: [remote(FANCY_REMOTE)]})
  const apply = applyOf(plan, {
    1: {outcome: 'failed', detail: 'position outside map', status: 400},
    5: {outcome: 'skipped', detail: 'needs operation 1, which failed'},
    6: {outcome: 'skipped'},
    0: {outcome: 'reconciled', detail: 'already gone (404)', status: 404},
    7: {outcome: 'unconfirmed'},
  })

  it('lists failed and skipped operations by map and object, counts the rest, and sums up', () => {
    const text = renderApply(apply, plain)
    assert.equal(
      text,
      [
        'failed Fancy Map: resize map 12x6 -> 14x6: position outside map (HTTP 400)',
        'skipped Fancy Map: create observer "Fancy Observer E" at (12,0), vision 3: needs operation 1, which failed',
        'skipped Fancy Map: create obstacle (12,3): an operation it depends on did not succeed',
        '1 operation reconciled: the server already held the intended state.',
        '1 operation unconfirmed: the answer was lost; not re-sent, the next run settles it.',
        'Applied 3 operations, 1 reconciled, 1 unconfirmed, 1 failed, 2 skipped.',
        '',
      ].join('\n'),
    )
  })

  it('lists reconciled and unconfirmed operations when verbose', () => {
    const lines = renderApply(apply, plain, {verbose: true}).split('\n')
    assert.ok(lines.includes('reconciled Fancy Map: delete observer "Fancy Observer D": already gone (404) (HTTP 404)'), lines.join('\n'))
    assert.ok(lines.includes('unconfirmed Fancy Map: create obstacle (13,5): the answer was lost; not re-sent, the next run settles it'))
  })

  it('says so plainly when everything was applied, or nothing was to be done', () => {
    assert.equal(renderApply(applyOf(plan), plain), 'Applied 8 operations, 0 reconciled, 0 failed, 0 skipped.\n')
    assert.equal(renderApply(applyOf(planOf({})), plain), 'No operations to apply.\n')
  })

  it('colours failures red when colour is on', () => {
    assert.ok(renderApply(apply, coloured).startsWith(`${ESC}31mfailed${ESC}39m Fancy Map`))
  })
})

describe('renderVerification', () => {
  it('says the server matches only when every map is confirmed', () => {
    const text = renderVerification(
      {
        skipped: false,
        maps: [
          {name: 'A', verdict: 'confirmed', differences: []},
          {name: 'B', verdict: 'confirmed', differences: []},
        ],
      },
      plain,
    )
    assert.equal(text, 'Verified: the server matches the files (2 maps).\n')
  })

  it('explains each map that is not confirmed, then counts them', () => {
    const text = renderVerification(
      {
        skipped: false,
        maps: [
          {name: 'A', verdict: 'confirmed', differences: []},
          {
            name: 'B',
            verdict: 'not-applied',
            differences: ['obstacle (3,4) still present'],
            advice: 'the server ignores obstacle deletes; recreate the map with --recreate',
          },
          {name: 'C', verdict: 'unconfirmed', differences: [], advice: 'wait', evidence: {kind: 'writes', at: 0, listed: true, until: 60_000}},
          {name: 'D', verdict: 'unconfirmed', differences: [], advice: 'wait', evidence: {kind: 'writes', at: 0, listed: true, until: 30_000}},
        ],
      },
      plain,
    )
    const lines = text.split('\n')
    assert.equal(lines[0], 'not applied B: the server acknowledged changes that it does not hold')
    assert.equal(lines[1], '    obstacle (3,4) still present')
    assert.equal(lines[2], "unconfirmed C: not known yet: the server's answers cannot show gridsync's writes to it yet (until 00:01:00 UTC)")
    assert.equal(lines[3], "unconfirmed D: not known yet: the server's answers cannot show gridsync's writes to it yet (until 00:00:30 UTC)")
    // Each piece of advice once, after the maps.
    assert.deepEqual(lines.slice(4, 6), ['advice: the server ignores obstacle deletes; recreate the map with --recreate', 'advice: wait'])
    assert.equal(lines.at(-2), 'Not verified: 1 confirmed; 2 maps not confirmed until 00:01:00 UTC ("C", "D"); 1 map with deletes the server refuses ("B"; push --rebuild).')
    assert.ok(!lines.some((l) => l.startsWith('confirmed') || l.includes(' A:')), 'confirmed maps are not listed')
  })

  it('lists at most 20 differences per map unless verbose', () => {
    const differences = Array.from({length: 23}, (_, i) => `obstacle (${i},0) still present`)
    const v: Verification = {skipped: false, maps: [{name: 'Big', verdict: 'not-applied', differences}]}
    const short = renderVerification(v, plain).split('\n')
    assert.equal(short.filter((l) => l.endsWith('still present')).length, 20)
    assert.ok(short.includes('    ... and 3 more differences (--verbose lists all)'), short.join('\n'))
    assert.equal(
      renderVerification(v, plain, {verbose: true})
        .split('\n')
        .filter((l) => l.endsWith('still present')).length,
      23,
    )
  })

  it('says when verification was skipped or found nothing to read back', () => {
    assert.equal(renderVerification({skipped: true, maps: []}, plain), 'Verification skipped (--no-verify): nothing was read back.\n')
    assert.equal(renderVerification({skipped: false, maps: []}, plain), 'Nothing verified: no map file in scope.\n')
  })

  it('never claims a match or sync unless every map is confirmed', () => {
    const verdict = fc.constantFrom<Verdict>('confirmed', 'not-applied', 'unconfirmed', 'incomplete', 'conflict')
    const verification = fc.record({
      skipped: fc.boolean(),
      maps: fc.array(fc.record({name: fc.constantFrom('A', 'Map B', 'Fancy Map'), verdict, differences: fc.array(fc.constant('obstacle (1,1) still present'))})),
    })
    fc.assert(
      fc.property(verification, (v: Verification) => {
        const text = renderVerification(v, plain)
        const allConfirmed = v.maps.length > 0 && v.maps.every((m) => m.verdict === 'confirmed')
        const claims = /matches|in sync/i.test(text)
        assert.equal(claims, allConfirmed, text)
      }),
    )
  })
})
