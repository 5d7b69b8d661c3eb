import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

/**
 * The repository root, found from this file whether it runs from bench/ (tsx) or from
 * the compiled copy in bench/.build/.
 */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const pkg = join(dir, 'package.json')
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as {name?: string}).name === 'gridsync') return dir
    const parent = dirname(dir)
    if (parent === dir) throw new Error('cannot find the gridsync repository root')
    dir = parent
  }
}

export const ROOT = findRoot()
/** The real CLI, as users run it (needs `npm run build`). */
export const CLI = join(ROOT, 'bin', 'run.js')
/** Directory of this file: siblings (the child scripts) are found from it, compiled or not. */
export const LIB_DIR = dirname(fileURLToPath(import.meta.url))
export const CLIENTS_DIR = join(LIB_DIR, '..', 'clients')
/** Extension of the running bench files: `.js` compiled, `.ts` under tsx. */
export const EXT = fileURLToPath(import.meta.url).endsWith('.ts') ? '.ts' : '.js'
