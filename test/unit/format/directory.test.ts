import assert from 'node:assert/strict'
import {mkdir, mkdtemp, rm, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {ExitCode, GridsyncError} from '../../../src/exit-codes.js'
import {formatDiagnostic, loadMapsDir} from '../../../src/format/index.js'

let root: string

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'gridsync-dir-'))
})

after(async () => {
  await rm(root, {recursive: true, force: true})
})

/** A fresh directory holding the given files. */
async function dirWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(root, 'maps-'))
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text)
  return dir
}

/** A valid 4x2 map with the given observers in its first row. */
function small(name: string, ...observers: string[]): string {
  const symbols = 'abcd'.slice(0, observers.length)
  return `${[name, symbols.padEnd(4, '.'), '....', ...observers.map((o, i) => `${symbols[i]},${o}`)].join('\n')}\n`
}

describe('loadMapsDir', () => {
  it('reads only *.map files, sorted naturally, and lists the other entries that are not hidden as skipped', async () => {
    const dir = await dirWith({
      'b10.map': small('B10', 'Bee'),
      'b9.map': small('B9', 'Wasp'),
      'a.txt': small('A', 'Ant'),
      'README.txt': 'Notes about these maps\nkeep them tidy\n',
      'c.map': small('C'),
      '.hidden.map': 'not a map at all',
      'notes.md': 'not a map',
      'd.map.bak': 'not a map',
    })
    await mkdir(join(dir, 'sub.map'))
    await writeFile(join(dir, 'sub.map', 'inner.map'), small('Inner'))
    const result = await loadMapsDir(dir)
    assert.deepEqual(result.files, [join(dir, 'b9.map'), join(dir, 'b10.map'), join(dir, 'c.map')])
    assert.deepEqual(
      result.maps.map((m) => [m.file, m.name]),
      [
        [join(dir, 'b9.map'), 'B9'],
        [join(dir, 'b10.map'), 'B10'],
        [join(dir, 'c.map'), 'C'],
      ],
    )
    assert.deepEqual(result.invalid, [])
    const txt = 'not a map file: only *.map files are read as maps (a .txt file is not one; rename it to .map if it holds a map)'
    assert.deepEqual(result.skipped, [
      {file: join(dir, 'a.txt'), reason: txt},
      {file: join(dir, 'd.map.bak'), reason: 'not a map file: only *.map files are read as maps'},
      {file: join(dir, 'notes.md'), reason: 'not a map file: only *.map files are read as maps'},
      {file: join(dir, 'README.txt'), reason: txt},
      {file: join(dir, 'sub.map'), reason: 'a directory: only the files directly in the maps directory are read'},
    ])
  })

  it('reads a file of any name when it is named explicitly', async () => {
    const dir = await dirWith({'a.txt': small('A', 'Ant')})
    const result = await loadMapsDir(dir, [join(dir, 'a.txt')])
    assert.deepEqual(
      result.maps.map((m) => m.name),
      ['A'],
    )
    assert.deepEqual(result.skipped, [])
  })

  it('returns an empty result for an empty directory', async () => {
    assert.deepEqual(await loadMapsDir(await dirWith({})), {maps: [], invalid: [], files: [], skipped: []})
  })

  it('keeps invalid files apart, with their name and every diagnostic', async () => {
    const dir = await dirWith({'good.map': small('Good', 'Goody'), 'bad.map': 'Bad Map\n..x\n.\n'})
    const result = await loadMapsDir(dir)
    assert.deepEqual(
      result.maps.map((m) => m.name),
      ['Good'],
    )
    assert.equal(result.invalid.length, 1)
    const [bad] = result.invalid
    assert.equal(bad?.file, join(dir, 'bad.map'))
    assert.equal(bad?.name, 'Bad Map')
    assert.deepEqual(
      bad?.diagnostics.map((d) => `${d.line}:${d.column}`),
      ['2:3', '3:2'],
    )
  })

  it('makes both files invalid when they hold the same map name, each naming the other', async () => {
    const dir = await dirWith({'one.map': small('Twin Map', 'First'), 'two.map': small('Twin Map', 'Second'), 'other.map': small('Other')})
    const result = await loadMapsDir(dir)
    assert.deepEqual(
      result.maps.map((m) => m.name),
      ['Other'],
    )
    assert.deepEqual(
      result.invalid.map((f) => [f.name, f.diagnostics.map(formatDiagnostic)]),
      [
        ['Twin Map', [`${join(dir, 'one.map')}:1:1: the map name "Twin Map" is also used by ${join(dir, 'two.map')}; each map must be in exactly one file`]],
        ['Twin Map', [`${join(dir, 'two.map')}:1:1: the map name "Twin Map" is also used by ${join(dir, 'one.map')}; each map must be in exactly one file`]],
      ],
    )
  })

  it('counts the name of an invalid file in the same-name check', async () => {
    const dir = await dirWith({'a.map': small('Shared'), 'b.map': 'Shared\n.x.\n'})
    const result = await loadMapsDir(dir)
    assert.deepEqual(result.maps, [])
    assert.match(result.invalid[0]?.diagnostics[0]?.message ?? '', /also used by .*b\.map/)
    assert.deepEqual(
      result.invalid[1]?.diagnostics.map((d) => d.message),
      [
        `the map name "Shared" is also used by ${join(dir, 'a.map')}; each map must be in exactly one file`,
        'symbol "x" on the grid has no legend line (add one such as "x,Observer name,6" after the grid)',
      ],
    )
  })

  it('makes both maps invalid when an observer name is used in two maps, pointing at the legend lines', async () => {
    const dir = await dirWith({'north.map': small('North', 'Scout', 'Roamer'), 'south.map': small('South', 'Roamer')})
    const result = await loadMapsDir(dir)
    assert.deepEqual(result.maps, [])
    assert.deepEqual(
      result.invalid.map((f) => f.diagnostics.map(formatDiagnostic)),
      [
        [`${join(dir, 'north.map')}:5:3: observer name "Roamer" is also used in ${join(dir, 'south.map')} (line 4); observer names must be unique across all maps`],
        [`${join(dir, 'south.map')}:4:3: observer name "Roamer" is also used in ${join(dir, 'north.map')} (line 5); observer names must be unique across all maps`],
      ],
    )
    assert.equal(result.invalid[0]?.name, 'North')
  })

  it('makes both files invalid when two map names give the same address on the server, naming both places', async () => {
    const dir = await dirWith({'a.map': small('Fancy Map'), 'b.map': small('fancy map!!'), 'c.map': small('Garden'), 'd.map': small('Gärden'), 'e.map': small('Other')})
    const result = await loadMapsDir(dir)
    assert.deepEqual(
      result.maps.map((m) => m.name),
      ['Other'],
    )
    const [a, b, c, d] = result.invalid.map((f) => f.diagnostics.map(formatDiagnostic))
    assert.deepEqual(a, [
      `${join(dir, 'a.map')}:1:1: the map name "Fancy Map" gives the same address ("fancy-map") on the server as "fancy map!!" in ${join(dir, 'b.map')}:1; the server refuses a second map with the same address: rename one of them`,
    ])
    assert.match(b![0]!, /b\.map:1:1: the map name "fancy map!!" gives the same address \("fancy-map"\) on the server as "Fancy Map" in .*a\.map:1;/)
    assert.match(c![0]!, /c\.map:1:1: the map name "Garden" gives the same address \("garden"\) on the server as "Gärden" in .*d\.map:1;/)
    assert.match(d![0]!, /d\.map:1:1: the map name "Gärden" gives the same address/)
    assert.deepEqual(
      result.invalid.map((f) => f.name),
      ['Fancy Map', 'fancy map!!', 'Garden', 'Gärden'],
    )
  })

  it('makes both maps invalid when two observer names give the same address, also within one map, pointing at the legend lines', async () => {
    const dir = await dirWith({'north.map': small('North', 'Scout Bob', 'scout-bob'), 'south.map': small('South', 'SCOUT bob!'), 'west.map': small('West', 'Scout')})
    const result = await loadMapsDir(dir)
    assert.deepEqual(
      result.maps.map((m) => m.name),
      ['West'],
    )
    const [north, south] = result.invalid.map((f) => f.diagnostics.map(formatDiagnostic))
    assert.equal(north!.length, 2)
    assert.match(
      north![0]!,
      /north\.map:4:3: the observer name "Scout Bob" gives the same address \("scout-bob"\) on the server as "scout-bob" in .*north\.map:5 and "SCOUT bob!" in .*south\.map:4;/,
    )
    assert.match(north![1]!, /north\.map:5:3: the observer name "scout-bob"/)
    assert.match(south![0]!, /south\.map:4:3: the observer name "SCOUT bob!" gives the same address/)
  })

  it('does not call names a clash where only the server can tell how it spells their letters', async () => {
    const dir = await dirWith({'a.map': small('北 Map'), 'b.map': small('u5317 map'), 'c.map': small('Ωmega', 'Ω one'), 'd.map': small('ωmega 2', 'o one')})
    const result = await loadMapsDir(dir)
    assert.deepEqual(result.invalid, [])
  })

  it('reads only the files given, as given, once each', async () => {
    const dir = await dirWith({'a.map': small('A'), 'b.map': small('B'), 'c.data': small('C')})
    const result = await loadMapsDir('unused', [join(dir, 'b.map'), join(dir, 'c.data'), join(dir, 'b.map')])
    assert.deepEqual(result.files, [join(dir, 'b.map'), join(dir, 'c.data')])
    assert.deepEqual(
      result.maps.map((m) => m.name),
      ['B', 'C'],
    )
  })

  it('applies the cross-file checks to the files given', async () => {
    const dir = await dirWith({'a.map': small('Same'), 'b.map': small('Same')})
    const result = await loadMapsDir(dir, [join(dir, 'a.map'), join(dir, 'b.map')])
    assert.equal(result.invalid.length, 2)
  })

  it('throws a usage error for a missing directory, naming it', async () => {
    const missing = join(root, 'no-such-dir')
    await assert.rejects(loadMapsDir(missing), (error: unknown) => {
      assert.ok(error instanceof GridsyncError)
      assert.equal(error.exitCode, ExitCode.USAGE)
      assert.equal(error.message, `cannot read the maps directory "${missing}": it does not exist`)
      return true
    })
  })

  it('throws a usage error for missing files or directories given as files, naming them all', async () => {
    const dir = await dirWith({'a.map': small('A')})
    await assert.rejects(loadMapsDir(dir, [join(dir, 'a.map'), join(dir, 'x.map'), dir]), (error: unknown) => {
      assert.ok(error instanceof GridsyncError)
      assert.equal(error.exitCode, ExitCode.USAGE)
      assert.equal(error.message, `no such file: "${join(dir, 'x.map')}"; "${dir}" is a directory, not a map file`)
      return true
    })
  })

  it('reports a map file that cannot be read as an invalid file', async () => {
    const dir = await dirWith({'ok.map': small('Fine')})
    await symlink(join(dir, 'gone'), join(dir, 'dangling.map'))
    const result = await loadMapsDir(dir)
    assert.deepEqual(result.invalid, [
      {file: join(dir, 'dangling.map'), diagnostics: [{file: join(dir, 'dangling.map'), line: 1, column: 1, message: 'cannot read the file: it does not exist'}]},
    ])
    assert.equal(result.maps.length, 1)
  })

  it('follows symbolic links to map files', async () => {
    const dir = await dirWith({'real.txt': small('Linked')})
    await symlink(join(dir, 'real.txt'), join(dir, 'link.map'))
    await rm(join(dir, 'real.txt'))
    await writeFile(join(root, 'target.map'), small('Linked'))
    await symlink(join(root, 'target.map'), join(dir, 'other.map'))
    const result = await loadMapsDir(dir)
    assert.deepEqual(
      result.maps.map((m) => m.file),
      [join(dir, 'other.map')],
    )
    assert.equal(result.invalid[0]?.file, join(dir, 'link.map'))
  })

  it('loads a directory of 2,000 small maps', async () => {
    const dir = await mkdtemp(join(root, 'many-'))
    await Promise.all(Array.from({length: 2000}, (_, i) => writeFile(join(dir, `m${String(i).padStart(4, '0')}.map`), small(`Map ${i}`, `Observer ${i}`))))
    const result = await loadMapsDir(dir)
    assert.equal(result.maps.length, 2000)
    assert.equal(result.invalid.length, 0)
    assert.equal(result.maps[1999]?.name, 'Map 1999')
    assert.equal(result.maps[1999]?.observers[0]?.name, 'Observer 1999')
  })
})
