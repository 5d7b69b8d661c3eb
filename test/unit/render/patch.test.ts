import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {applyPatch} from 'diff'

import {renderPlanPatch} from '../../../src/render/patch.js'
import {FANCY_LOCAL, FANCY_REMOTE, local, planOf, remote} from './fixtures.js'

describe('renderPlanPatch', () => {
  it('diffs the server state against the file for an updated map', () => {
    const patch = renderPlanPatch(planOf({local: [local('maps/fancy-map.map', FANCY_LOCAL)], remote: [remote(FANCY_REMOTE)]}))
    const lines = patch.split('\n')
    assert.equal(lines[0], '--- server/Fancy Map')
    assert.equal(lines[1], '+++ maps/fancy-map.map')
    assert.match(lines[2]!, /^@@ -1,11 \+1,11 @@$/)
    for (const line of ['-.a...##...b.', '+.....##...b...', '-b,Fancy Observer B,6', '+b,Fancy Observer B,8', '-d,Fancy Observer D,6', '+e,Fancy Observer E,3']) {
      assert.ok(lines.includes(line), `missing ${line}\n${patch}`)
    }

    assert.ok(lines.includes(' a,Fancy Observer A,6'), 'an observer with the same legend line is context')
  })

  it('writes the server side with the file symbols and legend order, so only real changes show', () => {
    const file = ['Order', 'Q.P', 'Q,Queen,1', 'P,Pawn']
    const server = ['Order', 'ab.', 'b,Pawn', 'a,Queen,1']
    const patch = renderPlanPatch(planOf({local: [local('maps/order.map', file)], remote: [remote(server)]}))
    assert.deepEqual(
      patch.split('\n').filter((l) => /^[-+](?![-+]{2} )/.test(l)),
      ['-QP.', '+Q.P'],
    )
  })

  it('gives no patch for an unchanged map', () => {
    const same = ['Same', '.#', 's.', 's,Sam']
    assert.equal(renderPlanPatch(planOf({local: [local('maps/same.map', same)], remote: [remote(same)]})), '')
  })

  it('produces a patch that turns the server text into the file text', () => {
    const plan = planOf({local: [local('maps/fancy-map.map', FANCY_LOCAL)], remote: [remote(FANCY_REMOTE)]})
    const patch = renderPlanPatch(plan)
    const serverText = FANCY_REMOTE.join('\n') + '\n'
    assert.equal(applyPatch(serverText, patch), FANCY_LOCAL.join('\n') + '\n')
  })

  it('diffs a created map from /dev/null and a deleted one to /dev/null', () => {
    const patch = renderPlanPatch(planOf({local: [local('maps/new.map', ['New', '.#a', 'a,Obs N,2'])], remote: [remote(['Old', '#.', '.z', 'z,Zed'])], prune: true}))
    assert.equal(
      patch,
      [
        '--- /dev/null',
        '+++ maps/new.map',
        '@@ -0,0 +1,3 @@',
        '+New',
        '+.#a',
        '+a,Obs N,2',
        '--- server/Old',
        '+++ /dev/null',
        '@@ -1,4 +0,0 @@',
        '-Old',
        '-#.',
        '-.a',
        '-a,Zed',
        '',
      ].join('\n'),
    )
  })

  it('says what happens to a deleted map that was not read', () => {
    const patch = renderPlanPatch(planOf({local: [local('maps/a.map', ['A', '.'])], remote: [remote(['A', '.'])], unread: [remote(['Old', '#.'])], prune: true}))
    assert.equal(patch, '# server/Old: the map and everything on it will be deleted (its contents were not read)\n')
  })

  it('comments instead of a patch when the server state cannot be written as a file', () => {
    const server = remote(['Crowd', '.a', 'a,Ann'])
    server.observers.push({...server.observers[0]!, name: 'Bob', slug: 'bob', url: `${server.url}observers/bob/`})
    const patch = renderPlanPatch(planOf({local: [local('maps/crowd.map', ['Crowd', 'a.', 'a,Ann'])], remote: [server]}))
    assert.ok(patch.startsWith('# server/Crowd cannot be written as a map file, so no patch is shown: '), patch)
    assert.match(patch, /"Ann" and "Bob" stand on the same tile \(1,0\)/)
    assert.ok(!patch.includes('+++'), patch)
    assert.equal(patch.split('\n').length, 2, 'one line')
  })

  it('notes an invalid file and a state taken from the journal', () => {
    const patch = renderPlanPatch(
      planOf({
        local: [local('maps/a.map', ['A', '#'])],
        remote: [remote(['A', '.'])],
        journal: ['A'],
        invalid: [{file: 'maps/bad.map', name: 'Bad', problems: ['maps/bad.map:2:1: oops']}],
      }),
    )
    const lines = patch.split('\n')
    assert.equal(
      lines[0],
      "# server/A: server state assumed from gridsync's own writes at 11:59:59 UTC: the server's answer does not show them, and may be a cached one until 12:05:00 UTC",
    )
    assert.equal(lines[1], '--- server/A')
    assert.ok(lines.includes('# maps/bad.map: invalid file; map "Bad" is left alone on the server'), patch)
  })
})
