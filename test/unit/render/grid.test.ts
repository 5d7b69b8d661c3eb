import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {renderGridPicture} from '../../../src/render/index.js'
import {coloured, FANCY_LOCAL, FANCY_REMOTE, local, planOf, plain, remote} from './fixtures.js'

const ESC = '\u001B['

/** The picture of the one map planned from these files. */
function picture(localLines: string[], remoteLines?: string[], chalk = plain): string {
  const plan = planOf({local: [local('maps/m.map', localLines)], remote: remoteLines ? [remote(remoteLines)] : []})
  return renderGridPicture(plan.maps[0]!, chalk)
}

describe('renderGridPicture', () => {
  it('marks added and removed obstacles, new, moved and removed observers, and the grown area', () => {
    assert.equal(
      picture(FANCY_LOCAL, FANCY_REMOTE),
      [
        '............e:',
        '.o...##...b.::',
        '..a..#......::',
        '........####+:',
        '.c........x.::',
        '....x#......:+',
        'legend: # obstacle, + added obstacle, x removed, o old place of a moved observer, : new area, e new observer, a moved observer, b changed observer',
      ].join('\n'),
    )
  })

  it('marks everything of a created map as added', () => {
    assert.equal(picture(['New', '.#a', 'a,Obs N,2']), '.+a\nlegend: + added obstacle, a new observer')
  })

  it('draws an unchanged map plainly, without a legend of changes', () => {
    const same = ['Same', '.#', 's.', 's,Sam']
    assert.equal(picture(same, same), '.#\ns.\nlegend: # obstacle')
  })

  it('picks another mark when the map uses the usual one as an observer symbol', () => {
    const text = picture(['M', 'x.', 'x,Ex'], ['M', 'x#', 'x,Ex'])
    assert.equal(text, 'x!\nlegend: ! removed')
  })

  it('counts removed objects outside a shrunk map instead of drawing them', () => {
    const text = picture(['M', '.#'], ['M', '.#.', '..#', 'q..', 'q,Que'])
    assert.equal(text, '.#\nlegend: # obstacle\n(2 removed objects lie outside the new size, not drawn)')
  })

  it('keeps astral symbols whole', () => {
    const text = picture(['M', '.🐙#', '🐙,Octo'], ['M', '..#'])
    assert.equal(text.split('\n')[0], '.🐙#')
    assert.match(text, /🐙 new observer/)
  })

  it('colours the marks when colour is on', () => {
    const text = picture(['M', '##'], ['M', '.#'], coloured)
    assert.ok(text.startsWith(`${ESC}32m+${ESC}39m#`), JSON.stringify(text))
  })

  it('omits the picture of a map too wide to show', () => {
    const row = '.'.repeat(200)
    assert.equal(picture(['Wide', row, row]), '(picture omitted: 200x2 map; use --format patch)')
  })

  it('draws only the changed rows of a tall map, numbered', () => {
    const rows = Array.from({length: 100}, () => '...')
    const before = ['Tall', ...rows]
    const after = ['Tall', ...rows]
    after[1 + 7] = '.#.'
    after[1 + 8] = '..#'
    after[1 + 42] = '#..'
    assert.equal(picture(after, before), ['(3 changed rows of this 3x100 map, with row numbers)', ' 7 .+.', ' 8 ..+', '...', '42 +..', 'legend: + added obstacle'].join('\n'))
  })

  it('omits a tall map with too many changed rows', () => {
    const rows = Array.from({length: 100}, () => '#')
    assert.equal(picture(['Tall', ...rows]), '(picture omitted: 1x100 map; use --format patch)')
  })

  it('draws nothing for a map without a file', () => {
    const plan = planOf({remote: [remote(['Old', '#.'])]})
    assert.equal(renderGridPicture(plan.maps[0]!, plain), '')
  })
})
