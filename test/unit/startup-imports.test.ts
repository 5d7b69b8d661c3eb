/**
 * What each command loads when it starts: the packages reachable through static imports
 * from its module (type-only imports and `import()` calls load nothing up front). Heavy
 * packages are loaded by the commands that use them, when they use them.
 */
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, it} from 'node:test'
import {fileURLToPath} from 'node:url'

const SRC = fileURLToPath(new URL('../../src/', import.meta.url))

/** Static, value-level import and re-export specifiers of a TypeScript file. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specifiers: string[] = []
  const statement = /^(?:import|export)\s+(?!type\s)([^;]*?)\s*from\s+'([^']+)'|^import\s+'([^']+)'/gm
  for (const m of text.matchAll(statement)) {
    const what = m[1]
    // `import {type A, type B} from` loads nothing either.
    if (
      what !== undefined &&
      /^\{[^}]*\}$/.test(what) &&
      what
        .slice(1, -1)
        .split(',')
        .every((part) => /^\s*type\s/.test(part) || part.trim() === '')
    )
      continue
    specifiers.push(m[2] ?? m[3]!)
  }

  return specifiers
}

/** The packages (bare specifiers, without node: built-ins) a module loads at start, through its own files. */
function packagesLoadedBy(entry: string, seen = new Set<string>()): Set<string> {
  const packages = new Set<string>()
  const visit = (file: string): void => {
    if (seen.has(file)) return
    seen.add(file)
    for (const spec of staticImports(file)) {
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec.replace(/\.js$/, '.ts')))
      else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!)
    }
  }

  visit(path.join(SRC, entry))
  return packages
}

describe('what commands load at start', () => {
  it('finds the packages a module imports, and not those it imports only as types or on demand', () => {
    // The diff command imports the patch renderer (and the diff library) on demand; push.ts imports got through the client.
    assert.ok(packagesLoadedBy('render/patch.ts').has('diff'))
    assert.ok(packagesLoadedBy('api/client.ts').has('got'))
    assert.ok(!packagesLoadedBy('api/client.ts').has('zod'))
  })

  for (const command of ['validate', 'diff', 'push', 'pull', 'config']) {
    it(`${command} starts without zod or the diff library`, () => {
      const loaded = packagesLoadedBy(`commands/${command}.ts`)
      assert.ok(loaded.has('@oclif/core'))
      assert.ok(!loaded.has('zod'), `${command} loads zod at start`)
      assert.ok(!loaded.has('diff'), `${command} loads diff at start`)
    })
  }

  it('no command loads the schemas of its documents (zod, for tests and the build only)', () => {
    for (const command of ['validate', 'diff', 'push', 'pull', 'config', 'sandbox']) {
      const files = new Set<string>()
      packagesLoadedBy(`commands/${command}.ts`, files)
      assert.ok(files.size > 3)
      assert.deepEqual(
        [...files].filter((f) => f.includes(`${path.sep}schemas${path.sep}`)),
        [],
        command,
      )
    }
    assert.ok(packagesLoadedBy('schemas/index.ts').has('zod'))
  })

  it('validate starts without got', () => {
    assert.ok(!packagesLoadedBy('commands/validate.ts').has('got'))
  })
})
