import assert from 'node:assert/strict'
import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {after, before, describe, it} from 'node:test'

import {runCli} from '../helpers/cli.js'

const GOOD = 'Good Map\n.a.\n#..\na,Good Observer,3\n'
const BAD_GRID = 'Bad Grid\n.a.\n#.\t\n..x\na,Bad Observer,-1\n'
const SAME_NAME = 'Good Map\n..\n'

let dir: string

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gridsync-validate-'))
  await writeFile(join(dir, 'good.map'), GOOD)
  await writeFile(join(dir, 'bad-grid.map'), BAD_GRID)
  await writeFile(join(dir, 'same-name.map'), SAME_NAME)
  await writeFile(join(dir, 'ignored.md'), 'not a map\n')
  // Notes beside the maps: not a map, so never a problem.
  await writeFile(join(dir, 'README.txt'), 'Notes about these maps\nkeep them tidy, one per file\n')
})

after(async () => {
  await rm(dir, {recursive: true, force: true})
})

const BAD_PROBLEMS = [
  'bad-grid.map:3:3: a tab in the grid: use "." for an empty tile',
  'bad-grid.map:4:3: symbol "x" on the grid has no legend line (add one such as "x,Observer name,6" after the grid)',
  'bad-grid.map:5:16: vision -1 is negative: it must be 0 or more, or left empty for no limit',
  'good.map:1:1: the map name "Good Map" is also used by same-name.map; each map must be in exactly one file',
  'same-name.map:1:1: the map name "Good Map" is also used by good.map; each map must be in exactly one file',
]

const SKIPPED = [
  'ignored.md: skipped, not a map file: only *.map files are read as maps',
  'README.txt: skipped, not a map file: only *.map files are read as maps (a .txt file is not one; rename it to .map if it holds a map)',
]

describe('gridsync validate', () => {
  it('passes the sample maps with exit 0', async () => {
    const r = await runCli(['validate'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /^\d+ files checked: all valid\n$/)
  })

  it('lists every problem as path:line:column and exits 5', async () => {
    const r = await runCli(['validate', '--maps-dir', '.'], {cwd: dir})
    assert.equal(r.code, 5, r.stderr)
    assert.deepEqual(r.stdout.trimEnd().split('\n'), [...BAD_PROBLEMS, ...SKIPPED, '3 files checked: 0 valid, 3 invalid (5 problems); 2 other entries skipped'])
  })

  it('colours problems with --color, and never in JSON', async () => {
    const env = {NO_COLOR: ''}
    const r = await runCli(['validate', '--maps-dir', '.', '--color'], {cwd: dir, env})
    assert.equal(r.code, 5)
    assert.match(r.stdout, /\u001b\[1mbad-grid\.map:3:3:\u001b\[22m \u001b\[31ma tab in the grid/)
    const json = await runCli(['validate', '--maps-dir', '.', '--color', '--json'], {cwd: dir, env})
    assert.doesNotMatch(json.stdout, /\u001b\[/)
  })

  it('takes the maps directory from GRIDSYNC_MAPS_DIR', async () => {
    const r = await runCli(['validate'], {env: {GRIDSYNC_MAPS_DIR: dir}})
    assert.equal(r.code, 5)
    assert.match(r.stdout, new RegExp(`^${join(dir, 'bad-grid.map').replaceAll(/[.\\/]/g, '\\$&')}:3:3: a tab`, 'm'))
  })

  it('reports the same as JSON, with the same exit code', async () => {
    const r = await runCli(['validate', '--maps-dir', '.', '--json'], {cwd: dir})
    assert.equal(r.code, 5, r.stderr)
    const doc = JSON.parse(r.stdout)
    assert.equal(doc.schemaVersion, 1)
    assert.deepEqual(doc.summary, {files: 3, valid: 0, invalid: 3, problems: 5})
    assert.deepEqual(
      doc.files.map((f: {file: string; valid: boolean; name?: string}) => [f.file, f.valid, f.name]),
      [
        ['bad-grid.map', false, 'Bad Grid'],
        ['good.map', false, 'Good Map'],
        ['same-name.map', false, 'Good Map'],
      ],
    )
    const flat = doc.files.flatMap((f: {diagnostics: Array<{file: string; line: number; column: number; message: string}>}) =>
      f.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.message}`),
    )
    assert.deepEqual(flat, BAD_PROBLEMS)
    assert.equal(doc.exitCode, 5)
    assert.deepEqual(
      doc.skipped.map((f: {file: string; reason: string}) => `${f.file}: skipped, ${f.reason}`),
      SKIPPED,
    )
    assert.deepEqual(Object.keys(doc), ['schemaVersion', 'exitCode', 'files', 'skipped', 'summary'])
  })

  it('checks only the FILES given, exit 0 when they are valid', async () => {
    const r = await runCli(['validate', 'good.map'], {cwd: dir})
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.equal(r.stdout, '1 file checked: all valid\n')
    const json = await runCli(['validate', 'good.map', '--json'], {cwd: dir})
    assert.equal(json.code, 0)
    assert.deepEqual(JSON.parse(json.stdout), {
      schemaVersion: 1,
      exitCode: 0,
      files: [{file: 'good.map', valid: true, name: 'Good Map', diagnostics: []}],
      skipped: [],
      summary: {files: 1, valid: 1, invalid: 0, problems: 0},
    })
  })

  it('checks several FILES together, cross-file rules included', async () => {
    const r = await runCli(['validate', 'good.map', 'same-name.map', 'bad-grid.map'], {cwd: dir})
    assert.equal(r.code, 5)
    assert.deepEqual(r.stdout.trimEnd().split('\n'), [BAD_PROBLEMS[3], BAD_PROBLEMS[4], ...BAD_PROBLEMS.slice(0, 3), '3 files checked: 0 valid, 3 invalid (5 problems)'])
  })

  it('exits 2 for a missing file or directory, with and without --json', async () => {
    const r = await runCli(['validate', 'nope.map'], {cwd: dir})
    assert.equal(r.code, 2)
    assert.match(r.stderr, /no such file: "nope\.map"/)
    const json = await runCli(['validate', '--maps-dir', 'missing', '--json'], {cwd: dir})
    assert.equal(json.code, 2)
    assert.equal(JSON.parse(json.stdout).error.message, 'cannot read the maps directory "missing": it does not exist')
  })

  it('shows a summary, a description and examples in help', async () => {
    const r = await runCli(['validate', '--help'])
    assert.equal(r.code, 0)
    assert.match(r.stdout, /--maps-dir=DIR/)
    assert.match(r.stdout, /GRIDSYNC_MAPS_DIR/)
    assert.match(r.stdout, /EXAMPLES[\s\S]*\$ gridsync validate\n[\s\S]*\$ gridsync validate maps\/fancy-map\.map/)
    assert.match(r.stdout, / 5 {2}some map files are invalid/)
  })
})
