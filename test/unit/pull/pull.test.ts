import assert from 'node:assert/strict'
import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {after, before, describe, it} from 'node:test'

import {ExitCode, GridsyncError} from '../../../src/exit-codes.js'
import {HttpError, NetworkError} from '../../../src/api/index.js'
import {loadMapsDir, parseMap} from '../../../src/format/index.js'
import type {GridMap, RemoteMap, RemoteMapSummary} from '../../../src/model/types.js'
import {foldName} from '../../../src/pull/filenames.js'
import {pull, type PullEntry, type PullOptions} from '../../../src/pull/index.js'
import {pullExitCode, renderPull} from '../../../src/presenters/pull.js'
import {fingerprint} from '../../../src/sync/state-model.js'
import {makeChalk} from '../../../src/cli/output.js'
import {content} from '../../helpers/maps.js'
import {writeJournalRecords} from '../../helpers/journal.js'

const SERVER = 'http://127.0.0.1:9'

/** A map as the server would hold it; `slug` may be anything a hostile server sends. */
function remote(name: string, slug: string, body: Partial<GridMap> = {}): RemoteMap {
  const url = `${SERVER}/api/maps/${encodeURIComponent(slug)}/`
  return {
    name,
    slug,
    url,
    width: body.width ?? 3,
    height: body.height ?? 2,
    observers: (body.observers ?? []).map((o) => ({...o, slug: o.name.toLowerCase(), url: `${url}observers/${o.name}/`})),
    obstacles: body.obstacles ?? [],
  }
}

/** An in-memory server: lists the maps, answers reads, or fails a read as told. */
class FakeServer {
  reads: string[] = []
  failures = new Map<string, Error>()

  constructor(public maps: RemoteMap[]) {}

  async listMaps(): Promise<RemoteMapSummary[]> {
    return this.maps.map((m) => ({name: m.name, slug: m.slug, width: m.width, height: m.height, url: m.url}))
  }

  async getMap(url: string): Promise<RemoteMap> {
    this.reads.push(url)
    const failure = this.failures.get(url)
    if (failure) throw failure
    const map = this.maps.find((m) => m.url === url)
    if (!map) throw new HttpError({method: 'GET', url, attempts: 1}, 404, 'NOT FOUND')
    return structuredClone(map)
  }
}

let root: string
before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'gridsync-pull-'))
})
after(async () => {
  await rm(root, {recursive: true, force: true})
})

/** A fresh maps directory (not created yet unless files are given) inside its own parent. */
async function mapsDir(files: Record<string, string> = {}): Promise<string> {
  const parent = await mkdtemp(path.join(root, 'p-'))
  const dir = path.join(parent, 'maps')
  if (Object.keys(files).length > 0) await mkdir(dir)
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text)
  return dir
}

function run(server: FakeServer, dir: string, opts: Partial<PullOptions> = {}) {
  return pull(server, {server: SERVER, mapsDir: dir, overwrite: false, dryRun: false, concurrency: 3, ...opts})
}

const byName = (maps: PullEntry[], name: string): PullEntry => {
  const entry = maps.find((m) => m.name === name)
  assert.ok(entry, `no entry for ${name}`)
  return entry
}

const FANCY = remote('Fancy Map', 'fancy-map', {
  width: 5,
  height: 3,
  observers: [
    {name: 'Fancy A', x: 1, y: 1, vision: 6},
    {name: 'Fancy B', x: 3, y: 2, vision: null},
  ],
  obstacles: [
    {x: 0, y: 0},
    {x: 0, y: 0},
    {x: 4, y: 1},
  ],
})

describe('pull into an empty directory', () => {
  it('creates the directory and writes every map in the canonical format, which loads back equal', async () => {
    const dir = await mapsDir()
    const garden = remote('Garden', 'garden', {observers: [{name: 'Gnome', x: 2, y: 1, vision: 2.5}]})
    const result = await run(new FakeServer([FANCY, garden]), dir)
    assert.deepEqual(
      result.maps.map((m) => [m.name, m.status, m.file]),
      [
        ['Fancy Map', 'written', path.join(dir, 'fancy-map.map')],
        ['Garden', 'written', path.join(dir, 'garden.map')],
      ],
    )
    assert.equal(pullExitCode(result), 0)
    assert.equal(await readFile(path.join(dir, 'fancy-map.map'), 'utf8'), 'Fancy Map\n#....\n.a..#\n...b.\na,Fancy A,6\nb,Fancy B\n')
    const loaded = await loadMapsDir(dir)
    assert.equal(loaded.invalid.length, 0)
    assert.deepEqual(loaded.maps.map(content), [content(FANCY), content(garden)])
    assert.deepEqual((await readdir(dir)).sort(), ['fancy-map.map', 'garden.map'])
  })
})

describe('names from the server are hostile', () => {
  it('keeps every file inside the directory, with a distinct safe name, away from existing entries', async () => {
    const dir = await mapsDir({'Etc-Passwd.MAP': 'not a map file', 'notes.txt': 'Other Notes\n.\n'})
    await mkdir(path.join(dir, 'con-map.map'))
    const maps = [
      remote('../../etc/passwd', '../../etc/passwd'),
      remote('Slash', '/'),
      remote('Back', '\\\\server\\share'),
      remote('Dots', '..'),
      remote('Dot', '.'),
      remote('.hidden', '.hidden'),
      remote('CON', 'CON'),
      remote('nul', 'NUL'),
      remote('Com1', 'com1'),
      remote('Zero', 'zero\u0000byte'),
      remote('Long', 'x'.repeat(500)),
      remote('Longer', `${'x'.repeat(500)}-2`),
      remote('Notes', 'notes'),
      remote('Same As Slug', 'Dots'),
      remote('北'.repeat(32), ''.padEnd(3, '/')),
      remote('X😀😀😀', '😀'),
    ]
    const result = await run(new FakeServer(maps), dir)
    assert.deepEqual(
      result.maps.filter((m) => m.status !== 'written'),
      [],
    )

    const files = result.maps.map((m) => m.file as string)
    for (const file of files) assert.equal(path.dirname(path.resolve(file)), path.resolve(dir))
    assert.equal(new Set(files.map((f) => foldName(path.basename(f)))).size, files.length)
    for (const file of files) assert.match(path.basename(file), /^[a-z0-9][a-z0-9-]*\.map$/)

    const file = (name: string): string => path.basename(byName(result.maps, name).file as string)
    assert.equal(file('../../etc/passwd'), 'etc-passwd-2.map')
    assert.equal(file('CON'), 'con-map-2.map')
    assert.equal(file('nul'), 'nul-map.map')
    assert.equal(file('Notes'), 'notes.map')
    assert.equal(file('.hidden'), 'hidden.map')
    assert.equal(file('Long'), `${'x'.repeat(64)}.map`)
    assert.equal(file('Longer'), `${'x'.repeat(64)}-2.map`)
    assert.equal(file('Slash'), 'slash.map')
    assert.equal(file('Dots'), 'dots.map')
    assert.equal(file('Same As Slug'), 'dots-2.map')
    assert.equal(file('X😀😀😀'), 'x.map')

    // Each file holds its own map, and nothing appeared beside the maps directory.
    for (const m of result.maps) {
      const parsed = parseMap(await readFile(m.file as string), m.file as string)
      assert.ok(parsed.ok)
      assert.equal(parsed.map.name, m.name)
    }
    assert.deepEqual(await readdir(path.dirname(dir)), ['maps'])
    assert.equal(await readFile(path.join(dir, 'Etc-Passwd.MAP'), 'utf8'), 'not a map file')
  })

  it('escapes control characters of names in the human report', async () => {
    const dir = await mapsDir()
    const result = await run(new FakeServer([remote('Evil\u001b[2J\u202E', 'evil')]), dir)
    const text = renderPull(result, {mapsDir: dir, chalk: makeChalk(false)})
    assert.match(text, /\+ written .*evil\.map \("Evil\\u001b\[2J\\u202e"\)/)
    assert.doesNotMatch(text, /\u001b/)
  })
})

describe('maps the format cannot express', () => {
  it('are not written, each with its reason, and make the exit code 4', async () => {
    const dir = await mapsDir()
    const many = Array.from({length: 700}, (_, i) => ({name: `Crowd ${i}`, x: i % 30, y: Math.floor(i / 30), vision: null}))
    const server = new FakeServer([
      remote('Shared Tile', 'shared-tile', {
        observers: [
          {name: 'P', x: 1, y: 1, vision: null},
          {name: 'Q', x: 1, y: 1, vision: 1},
        ],
      }),
      remote('On Rock', 'on-rock', {observers: [{name: 'R', x: 0, y: 0, vision: null}], obstacles: [{x: 0, y: 0}]}),
      remote('Shrunk', 'shrunk', {width: 2, height: 2, obstacles: [{x: 5, y: 1}]}),
      remote('Crowd', 'crowd', {width: 30, height: 30, observers: many}),
      remote('!!!', ''),
      remote('Fine', 'fine'),
    ])
    const result = await run(server, dir)
    const reason = (name: string): string => {
      const entry = byName(result.maps, name)
      assert.equal(entry.status, 'skipped', name)
      assert.equal(entry.file, undefined)
      return entry.reason as string
    }
    assert.match(reason('Shared Tile'), /observers "P" and "Q" stand on the same tile \(1,1\)/)
    assert.match(reason('On Rock'), /observer "R" stands on an obstacle at \(0,0\)/)
    assert.match(reason('Shrunk'), /an obstacle is outside the 2x2 map: \(5,1\)/)
    assert.match(reason('Crowd'), /700 observers but only \d+ symbols/)
    assert.match(reason('!!!'), /empty slug/)
    assert.equal(byName(result.maps, 'Fine').status, 'written')
    assert.equal(
      server.reads.some((u) => u.endsWith('/maps//')),
      false,
      'a map with an empty slug is not read',
    )
    assert.deepEqual(await readdir(dir), ['fine.map'])
    assert.equal(pullExitCode(result), 4)
  })

  it('include a map whose observer names another file already uses', async () => {
    const dir = await mapsDir({'mine.map': 'Mine\na.\na,Fancy A\n'})
    const result = await run(new FakeServer([FANCY]), dir)
    const entry = byName(result.maps, 'Fancy Map')
    assert.equal(entry.status, 'skipped')
    assert.match(entry.reason as string, /"Fancy A" \(in .*mine\.map\)/)
    assert.deepEqual(await readdir(dir), ['mine.map'])
  })
})

describe('reads that fail', () => {
  it('an HTTP error fails that map only; the rest are written', async () => {
    const dir = await mapsDir()
    const broken = remote('Broken', 'broken')
    const server = new FakeServer([broken, FANCY])
    server.failures.set(broken.url, new HttpError({method: 'GET', url: broken.url, attempts: 4}, 500, 'INTERNAL SERVER ERROR', 'database is locked'))
    const result = await run(server, dir)
    assert.equal(byName(result.maps, 'Broken').status, 'failed')
    assert.match(byName(result.maps, 'Broken').reason as string, /answered 500 .*database is locked/)
    assert.equal(byName(result.maps, 'Fancy Map').status, 'written')
    assert.equal(pullExitCode(result), 4)
  })

  it('a broken connection ends the pull before anything is written', async () => {
    const dir = await mapsDir()
    const server = new FakeServer([FANCY, remote('Other', 'other')])
    server.failures.set(FANCY.url, new NetworkError({method: 'GET', url: FANCY.url, attempts: 4}, {kind: 'reset', reason: 'connection reset'}))
    await assert.rejects(run(server, dir), NetworkError)
    await assert.rejects(readdir(dir), {code: 'ENOENT'})
  })

  it('a map renamed between the listing and the read is not written under either name', async () => {
    const dir = await mapsDir()
    const server = new FakeServer([FANCY])
    server.getMap = async () => ({...structuredClone(FANCY), name: 'Renamed'})
    const result = await run(server, dir)
    assert.equal(byName(result.maps, 'Fancy Map').status, 'failed')
    assert.match(byName(result.maps, 'Fancy Map').reason as string, /answers with a map named "Renamed" \(renamed meanwhile\?\)/)
    await assert.rejects(readdir(dir), {code: 'ENOENT'})
  })
})

describe('existing files', () => {
  const EDITED = 'Fancy Map\n.....\n.z...\n.....\nz,Fancy A,6\n'

  it('are never touched without --overwrite, whatever they hold', async () => {
    const dir = await mapsDir({'mine.map': EDITED, 'broken.map': 'Garden\nnot a grid\n'})
    const server = new FakeServer([FANCY, remote('Garden', 'garden')])
    const result = await run(server, dir)
    assert.deepEqual(byName(result.maps, 'Fancy Map'), {name: 'Fancy Map', status: 'present', file: path.join(dir, 'mine.map')})
    const garden = byName(result.maps, 'Garden')
    assert.equal(garden.status, 'present')
    assert.match(garden.reason as string, /invalid .* left alone/)
    assert.deepEqual(server.reads, [], 'maps that are present are not even read')
    assert.equal(await readFile(path.join(dir, 'mine.map'), 'utf8'), EDITED)
    assert.deepEqual((await readdir(dir)).sort(), ['broken.map', 'mine.map'])
    assert.equal(pullExitCode(result), 0)
  })

  it('with --overwrite are replaced when they differ, keeping their symbols, after a backup', async () => {
    const dir = await mapsDir({'mine.map': EDITED, 'broken.map': 'Garden\nnot a grid\n'})
    const garden = remote('Garden', 'garden')
    const result = await run(new FakeServer([FANCY, garden]), dir, {overwrite: true, now: () => Date.UTC(2030, 0, 2, 3, 4, 5, 6)})
    const backupDir = path.join(dir, '.gridsync', 'backup', '2030-01-02T03-04-05-006Z')
    assert.deepEqual(byName(result.maps, 'Fancy Map'), {
      name: 'Fancy Map',
      status: 'written',
      file: path.join(dir, 'mine.map'),
      backup: path.join(backupDir, 'mine.map'),
    })
    assert.equal(result.backupDir, backupDir)
    assert.equal(await readFile(path.join(backupDir, 'mine.map'), 'utf8'), EDITED)
    assert.equal(await readFile(path.join(dir, 'mine.map'), 'utf8'), 'Fancy Map\n#....\n.z..#\n...a.\nz,Fancy A,6\na,Fancy B\n')
    assert.equal(byName(result.maps, 'Garden').status, 'present', 'an invalid file is not replaced')
    assert.equal(await readFile(path.join(dir, 'broken.map'), 'utf8'), 'Garden\nnot a grid\n')
    assert.match(renderPull(result, {mapsDir: dir, chalk: makeChalk(false)}), /previous content kept in .*backup.*mine\.map/)

    const again = await run(new FakeServer([FANCY, garden]), dir, {overwrite: true})
    assert.deepEqual(byName(again.maps, 'Fancy Map'), {
      name: 'Fancy Map',
      status: 'present',
      file: path.join(dir, 'mine.map'),
      reason: 'the file already matches the server',
    })
    assert.equal(again.backupDir, undefined)
  })
})

describe('selection and dry run', () => {
  it('--only limits the pull; a name only in the files fails, and one that matches no map at all is a usage error before anything is written', async () => {
    const dir = await mapsDir({'local.map': 'Local Only\n..\n'})
    const server = new FakeServer([FANCY, remote('Garden', 'garden')])
    const result = await run(server, dir, {only: ['Garden', 'Local Only']})
    assert.deepEqual(
      result.maps.map((m) => [m.name, m.status]),
      [
        ['Garden', 'written'],
        ['Local Only', 'failed'],
      ],
    )
    assert.deepEqual(server.reads, [remote('Garden', 'garden').url])
    assert.deepEqual(await readdir(dir), ['garden.map', 'local.map'])
    assert.equal(pullExitCode(result), 4)

    await assert.rejects(run(server, dir, {only: ['Fancy Map', 'Nowhere'], overwrite: true}), (error: unknown) => {
      assert.ok(error instanceof GridsyncError)
      assert.equal(error.exitCode, ExitCode.USAGE)
      assert.match(error.message, /^--only "Nowhere" matches no map in the files of .* or on the server/)
      return true
    })
    assert.deepEqual(await readdir(dir), ['garden.map', 'local.map'], 'nothing was written')
  })

  it('--dry-run reports what it would write and writes nothing, not even the directory', async () => {
    const dir = await mapsDir()
    const result = await run(
      new FakeServer([
        FANCY,
        remote('Shared', 'shared', {
          observers: [
            {name: 'P', x: 0, y: 0, vision: null},
            {name: 'Q', x: 0, y: 0, vision: null},
          ],
        }),
      ]),
      dir,
      {dryRun: true},
    )
    assert.deepEqual(
      result.maps.map((m) => [m.name, m.status, m.file]),
      [
        ['Fancy Map', 'would-write', path.join(dir, 'fancy-map.map')],
        ['Shared', 'skipped', undefined],
      ],
    )
    assert.equal(pullExitCode(result), 4)
    await assert.rejects(readdir(dir), {code: 'ENOENT'})
    assert.match(renderPull(result, {mapsDir: dir, chalk: makeChalk(false)}), /Dry run, nothing written: 1 map would be written/)
  })

  it('--dry-run with --overwrite names the files it would replace and touches none', async () => {
    const dir = await mapsDir({'mine.map': 'Fancy Map\n.\n'})
    const result = await run(new FakeServer([FANCY]), dir, {dryRun: true, overwrite: true})
    assert.equal(byName(result.maps, 'Fancy Map').status, 'would-write')
    assert.equal(await readFile(path.join(dir, 'mine.map'), 'utf8'), 'Fancy Map\n.\n')
    assert.deepEqual(await readdir(dir), ['mine.map'])
  })
})

describe('interrupted and racing writes', () => {
  it('a write that fails midway leaves no map file and no temporary file; the next pull completes', async () => {
    const dir = await mapsDir()
    const server = new FakeServer([FANCY, remote('Garden', 'garden')])
    const result = await run(server, dir, {
      write: {
        beforeCommit: (temp) => {
          if (temp.includes('garden')) throw new Error('disk unplugged')
        },
      },
    })
    assert.equal(byName(result.maps, 'Fancy Map').status, 'written')
    assert.equal(byName(result.maps, 'Garden').status, 'failed')
    assert.match(byName(result.maps, 'Garden').reason as string, /cannot write .*garden\.map: disk unplugged/)
    assert.deepEqual(await readdir(dir), ['fancy-map.map'])
    assert.equal(pullExitCode(result), 4)

    const next = await run(server, dir)
    assert.deepEqual(
      next.maps.map((m) => m.status),
      ['present', 'written'],
    )
    assert.deepEqual((await readdir(dir)).sort(), ['fancy-map.map', 'garden.map'])
  })

  it('removes temporary files that a killed run left', async () => {
    const dir = await mapsDir({'.garden.map.999999999.0a1b.tmp': 'Gard'})
    const result = await run(new FakeServer([remote('Garden', 'garden')]), dir)
    assert.deepEqual(result.removedTempFiles, [path.join(dir, '.garden.map.999999999.0a1b.tmp')])
    assert.deepEqual(await readdir(dir), ['garden.map'])
  })

  it('a file appearing under the chosen name meanwhile is kept, and the map takes the next name', async () => {
    const dir = await mapsDir()
    const file = path.join(dir, 'fancy-map.map')
    const result = await run(new FakeServer([FANCY]), dir, {
      write: {beforeCommit: () => writeFile(file, 'written by someone else', {flag: 'wx'}).catch(() => {})},
    })
    assert.deepEqual(byName(result.maps, 'Fancy Map').file, path.join(dir, 'fancy-map-2.map'))
    assert.equal(await readFile(file, 'utf8'), 'written by someone else')
  })
})

describe('the journal of recent pushes', () => {
  it('stands in for stale answers, as diff sees them: a just-deleted map is not pulled back, a just-changed one is pulled as changed', async () => {
    const dir = await mapsDir()
    const now = Date.now()
    const oldFancy = FANCY
    const newFancy = {...structuredClone(FANCY), obstacles: [{x: 2, y: 2}]}
    const gone = remote('Gone', 'gone')
    await writeJournalRecords(dir, SERVER, {
      'Fancy Map': {url: FANCY.url, before: fingerprint(oldFancy), after: newFancy, at: new Date(now).toISOString()},
      Gone: {url: gone.url, before: fingerprint(gone), after: null, at: new Date(now).toISOString()},
    })

    // The server still answers with the state from before those writes, but the URL of the deleted map answers 404 (never cached).
    const server = new FakeServer([oldFancy, gone])
    server.failures.set(gone.url, new HttpError({method: 'GET', url: gone.url, attempts: 1}, 404, 'NOT FOUND'))
    const result = await run(server, dir, {now: () => now})
    assert.deepEqual(
      result.maps.map((m) => [m.name, m.status]),
      [['Fancy Map', 'written']],
    )
    const loaded = await loadMapsDir(dir)
    assert.deepEqual(loaded.maps.map(content), [content(newFancy)])
  })
})
