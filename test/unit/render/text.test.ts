import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {renderPlan} from '../../../src/render/index.js'
import {coloured, FANCY_LOCAL, FANCY_REMOTE, local, planOf, plain, remote} from './fixtures.js'

const ESC = '\u001B['

describe('renderPlan', () => {
  const fancyLocal = local('maps/fancy-map.map', FANCY_LOCAL)

  it('gives an updated map one summary line, its changes with their reasons, and the plan line', () => {
    const text = renderPlan(planOf({local: [fancyLocal], remote: [remote(FANCY_REMOTE)]}), {chalk: plain, picture: false})
    const lines = text.split('\n')
    assert.equal(lines[0], '~ Fancy Map  size 12x6 -> 14x6, observers +1 ~2 -1, obstacles +2 -1')
    for (const line of [
      '    - observer "Fancy Observer D" is not in the file',
      '    - obstacle (4,5) is not in the file',
      '    ~ observer "Fancy Observer A" moves (1,1) -> (2,2)',
      '    ~ observer "Fancy Observer B" vision 6 -> 8',
      '    + observer "Fancy Observer E" is only in the file: (12,0), vision 3',
      '    + obstacle (12,3) is only in the file',
      '    + obstacle (13,5) is only in the file',
    ]) {
      assert.ok(lines.includes(line), `missing line: ${line}\n${text}`)
    }

    assert.ok(!text.includes('legend:'), 'picture: false draws no picture')
    assert.equal(lines.at(-2), 'Plan: 0 maps to create, 1 to update, 0 to delete, 0 unchanged; observers +1 ~2 -1; obstacles +2 -1.')
    assert.equal(lines.at(-1), '')
  })

  it('draws the picture by default', () => {
    const text = renderPlan(planOf({local: [fancyLocal], remote: [remote(FANCY_REMOTE)]}), {chalk: plain})
    assert.match(text, /\n {4}\.o\.\.\.##\.\.\.b\.::\n/)
    assert.match(text, /\n {4}legend: /)
  })

  it('signs created, deleted, unchanged and untracked maps', () => {
    const same = ['Same', '.#', 's.', 's,Sam']
    const text = renderPlan(
      planOf({
        local: [local('maps/new.map', ['New', '.#a', 'a,Obs N,2']), local('maps/same.map', same)],
        remote: [remote(same), remote(['Old', '#.', '.z', 'z,Zed'])],
        unread: [remote(['Gone', '..'])],
        prune: true,
      }),
      {chalk: plain, picture: false},
    )
    const lines = text.split('\n')
    assert.ok(lines.includes('+ New  new 3x1, observers +1, obstacles +1'), text)
    assert.ok(lines.includes('- Old  delete, with 1 observer and 1 obstacle'), text)
    assert.ok(lines.includes('- Gone  delete, with everything on it'), text)
    assert.ok(lines.includes('= Same  unchanged'), text)
    assert.match(text, /Plan: 1 map to create, 0 to update, 2 to delete, 1 unchanged; observers \+1 ~0 -0; obstacles \+1 -0\.\n$/)

    const kept = renderPlan(planOf({local: [local('maps/same.map', same)], remote: [remote(same), remote(['Old', '#.'])]}), {chalk: plain})
    assert.ok(kept.split('\n').includes('? Old  only on the server'), kept)
    assert.match(kept, /\n {4}only on the server; kept \(use --prune to delete it\)\n/)
    assert.match(kept, /No changes: the server matches the files \(read at 12:00:00 UTC\); 1 map only on the server is kept\.\n$/)
  })

  it('says there are no changes only when everything is in sync and read from the server', () => {
    const same = ['Same', '.#', 's.', 's,Sam']
    const text = renderPlan(planOf({local: [local('maps/same.map', same)], remote: [remote(same)]}), {chalk: plain})
    assert.equal(text, '= Same  unchanged\n\nNo changes: the server matches the files (read at 12:00:00 UTC).\n')
  })

  it('does not claim a match when a file is invalid', () => {
    const text = renderPlan(
      planOf({invalid: [{file: 'maps/broken.map', name: 'Broken', problems: ['maps/broken.map:3:2: a comma in the grid']}], remote: [remote(['Broken', '..'])]}),
      {chalk: plain},
    )
    assert.ok(text.startsWith('! Broken  invalid file maps/broken.map\n'), text)
    assert.match(text, /\n {4}maps\/broken\.map:3:2: a comma in the grid\n/)
    assert.ok(!text.includes('matches'), text)
    assert.match(text, /Nothing to send, but the server is not known to match the files: 1 map file is invalid and left alone\.\n$/)
  })

  it('does not claim a match when the remote state came from the journal', () => {
    const a = ['Map A', '.#']
    const b = ['Map B', '#.']
    const text = renderPlan(planOf({local: [local('maps/a.map', a), local('maps/b.map', b)], remote: [remote(a), remote(b)], journal: ['Map A', 'Map B']}), {
      chalk: plain,
    })
    assert.ok(!text.includes('matches'), text)
    assert.match(
      text,
      /= Map A {2}unchanged\n {4}server state assumed from gridsync's own writes at 11:59:59 UTC: the server's answer does not show them, and may be a cached one until 12:05:00 UTC\n/,
    )
    assert.match(text, /Nothing to send, but the server is not known to match the files: 2 maps not confirmed until 12:05:00 UTC \("Map A", "Map B"\)\.\n$/)
  })

  it('says so when there is no map file to compare, and never that anything matches', () => {
    const text = renderPlan(planOf({remote: [remote(['Old', '..'])]}), {chalk: plain})
    assert.ok(!text.includes('matches'), text)
    assert.match(text, /No map files to compare with the server; 1 map only on the server is kept\.\n$/)
  })

  it('shows run-wide warnings', () => {
    const text = renderPlan(planOf({remote: [remote(['Old', '..'])], prune: true}), {chalk: plain})
    assert.match(text, /\nWarning: No map files found: nothing is pruned/)
  })

  it('lists at most 20 changes per map unless verbose', () => {
    const row = '#'.repeat(25)
    const plan = planOf({local: [local('maps/wall.map', ['Wall', row])], remote: [remote(['Wall', '.'.repeat(25)])]})
    const short = renderPlan(plan, {chalk: plain, picture: false})
    assert.equal(short.split('\n').filter((l) => l.startsWith('    + obstacle')).length, 20)
    assert.match(short, /\n {4}\.\.\. and 5 more changes \(--verbose lists all\)\n/)
    const long = renderPlan(plan, {chalk: plain, picture: false, verbose: true})
    assert.equal(long.split('\n').filter((l) => l.startsWith('    + obstacle')).length, 25)
    assert.ok(!long.includes('more changes'))
  })

  it('sums up the obstacles of a new map in one line, and lists its observers', () => {
    const plan = planOf({local: [local('maps/wall.map', ['Wall', `a${'#'.repeat(60)}`, 'a,Guard,2'])]})
    const lines = renderPlan(plan, {chalk: plain, picture: false}).split('\n')
    assert.deepEqual(lines.slice(0, 3), ['+ Wall  new 61x1, observers +1, obstacles +60', '    + observer "Guard" is only in the file: (0,0), vision 2', '    + 60 obstacles'])
    assert.ok(!lines.some((l) => l.includes('obstacle (')), 'no line per obstacle')
    assert.equal(plan.operations.filter((op) => op.kind === 'createObstacle').length, 60)
  })

  it('colours through the chalk instance it is given', () => {
    const plan = planOf({local: [fancyLocal], remote: [remote(FANCY_REMOTE)]})
    const withColour = renderPlan(plan, {chalk: coloured})
    assert.ok(withColour.includes(`${ESC}33m~${ESC}39m`), 'the update sign is yellow')
    assert.ok(withColour.includes(`${ESC}32m+${ESC}39m obstacle (12,3)`), 'an added object is green')
    assert.ok(!renderPlan(plan, {chalk: plain}).includes(ESC), 'no escape codes with colour off')
  })
})
