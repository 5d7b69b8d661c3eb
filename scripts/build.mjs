#!/usr/bin/env node
/**
 * Builds dist/ (TypeScript), oclif.manifest.json and schemas/ (the JSON Schemas of every
 * --json document and log event) in staging folders inside the checkout, then moves
 * each file into place with a rename, which replaces a file at once, and last removes
 * the files the new build no longer has. A gridsync running from this checkout (a cron
 * job, a sandbox) never finds dist/ gone or a file half-written while a build or
 * `npm test` runs.
 *
 * The paths in the source maps are rewritten for where the files end up.
 */
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, unlinkSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {pathToFileURL} from 'node:url'

const root = path.resolve(import.meta.dirname, '..')
const require = createRequire(import.meta.url)

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir) {
  let out = []
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    const name = path.join(dir, entry.name)
    if (entry.isDirectory()) out = out.concat(filesUnder(name).map((f) => path.join(entry.name, f)))
    else out.push(entry.name)
  }
  return out
}

/** Removes the directories under `dir` (not `dir`) left empty. */
function removeEmptyDirs(dir) {
  for (const entry of readdirSync(dir, {withFileTypes: true})) {
    if (!entry.isDirectory()) continue
    const sub = path.join(dir, entry.name)
    removeEmptyDirs(sub)
    if (readdirSync(sub).length === 0) rmdirSync(sub)
  }
}

/**
 * Moves every file of `from` to the same place under `to`, each with one rename (a
 * reader sees the old file or the new one, never none), then deletes the files of `to`
 * that `from` did not have.
 */
export function swapTree(from, to) {
  const fresh = filesUnder(from)
  for (const file of fresh) {
    mkdirSync(path.dirname(path.join(to, file)), {recursive: true})
    renameSync(path.join(from, file), path.join(to, file))
  }
  const keep = new Set(fresh)
  for (const file of filesUnder(to)) if (!keep.has(file)) unlinkSync(path.join(to, file))
  removeEmptyDirs(to)
}

function node(script, args, options = {}) {
  execFileSync(process.execPath, [script, ...args], {cwd: root, stdio: 'inherit', ...options})
}

/** Makes the `sources` of each source map under `from` right for the same file under `to`. */
function relocateSourceMaps(from, to) {
  for (const file of filesUnder(from).filter((f) => f.endsWith('.js.map'))) {
    const map = JSON.parse(readFileSync(path.join(from, file), 'utf8'))
    const [staged, final] = [path.dirname(path.join(from, file)), path.dirname(path.join(to, file))]
    map.sources = map.sources.map((source) => path.relative(final, path.resolve(staged, source)).split(path.sep).join('/'))
    writeFileSync(path.join(from, file), JSON.stringify(map))
  }
}

async function build() {
  // A copy of the package whose dist/ is the new build: oclif makes the command manifest from it.
  const plugin = mkdtempSync(path.join(root, '.build-'))
  const compiled = path.join(plugin, 'dist')
  try {
    node(require.resolve('typescript/bin/tsc'), ['-p', 'tsconfig.build.json', '--outDir', compiled])
    relocateSourceMaps(compiled, path.join(root, 'dist'))
    writeFileSync(path.join(plugin, 'package.json'), readFileSync(path.join(root, 'package.json')))
    node(require.resolve('oclif/bin/run.js'), ['manifest', plugin], {stdio: ['ignore', 'ignore', 'inherit'], env: {...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: 'true'}})

    // The JSON Schemas, from the zod schemas of the new build.
    const {jsonSchemas} = await import(pathToFileURL(path.join(compiled, 'schemas', 'index.js')).href)
    for (const [file, schema] of Object.entries(jsonSchemas())) {
      const target = path.join(plugin, 'schemas', file)
      mkdirSync(path.dirname(target), {recursive: true})
      writeFileSync(target, JSON.stringify(schema, null, 2) + '\n')
    }

    mkdirSync(path.join(root, 'dist'), {recursive: true})
    mkdirSync(path.join(root, 'schemas'), {recursive: true})
    swapTree(compiled, path.join(root, 'dist'))
    swapTree(path.join(plugin, 'schemas'), path.join(root, 'schemas'))
    renameSync(path.join(plugin, 'oclif.manifest.json'), path.join(root, 'oclif.manifest.json'))
  } finally {
    rmSync(plugin, {recursive: true, force: true})
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await build()
