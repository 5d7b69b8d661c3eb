import {execFile} from 'node:child_process'
import {fileURLToPath} from 'node:url'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url))

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** Proxy variables of the machine running the tests: a test that wants a proxy sets its own. */
const NO_PROXY_VARIABLES = Object.fromEntries(['http_proxy', 'https_proxy', 'all_proxy', 'no_proxy'].flatMap((name) => [name, name.toUpperCase()]).map((name) => [name, undefined]))

/**
 * Runs the built CLI (bin/run.js) as a user would, in a child process, with colour
 * off and no proxy unless the test asks for them. Never throws for a non-zero exit.
 */
export function runCli(args: string[], opts: {cwd?: string; env?: NodeJS.ProcessEnv; input?: string} = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: opts.cwd ?? ROOT,
        env: {...process.env, ...NO_PROXY_VARIABLES, NO_COLOR: '1', FORCE_COLOR: undefined, GRIDSYNC_DEBUG: undefined, DEBUG: undefined, ...opts.env},
        maxBuffer: 64 * 1024 * 1024,
        timeout: 120_000,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          // An ExecFileException is an Error; its type, built with Omit<>, does not say so.
          // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
          reject(error)
          return
        }
        resolve({code: error ? (error.code as unknown as number) : 0, stdout, stderr})
      },
    )
    if (opts.input !== undefined) child.stdin?.end(opts.input)
    else child.stdin?.end()
  })
}
