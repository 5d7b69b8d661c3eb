import assert from 'node:assert/strict'
import {readdir, readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {setTimeout as sleep} from 'node:timers/promises'

import {loadMapsDir} from '../../src/format/index.js'
import type {Sandbox} from '../../src/sandbox/index.js'
import {runCli} from './cli.js'
import {content} from './maps.js'

/**
 * What the end-to-end tests of `gridsync sync` share: the built CLI run against a
 * sandbox on a maps directory, and the sandbox's true state to check it by.
 */

/** The sandbox's read cache, when on. */
export const CACHE_MS = 3000
/** Past the cache time gridsync is told (see windowOf). */
export const PAST_WINDOW_MS = 4300

/** The cache time gridsync is told: at least the sandbox's, and 0 when the sandbox caches nothing (so no run needs to wait). */
export const windowOf = (cached: boolean): string => (cached ? '4' : '0')

/** Proxy variables of the machine running the tests unset: the runs go to the sandbox directly. */
export const NO_PROXY = Object.fromEntries(['http_proxy', 'https_proxy', 'all_proxy', 'no_proxy'].flatMap((v) => [v, v.toUpperCase()]).map((v) => [v, undefined]))

/** One object's values in a sync report. */
export interface SyncObjectState {
  key: string
  what: string
  base: string | null
  file: string | null
  server: string | null
}

/** The fields of `sync --json` these tests read. */
export interface SyncDoc {
  exitCode: number
  maps: Array<{
    name: string
    action: string
    file?: string
    renamedFrom?: string
    renamedOn?: string
    toServer: SyncObjectState[]
    toFile: SyncObjectState[]
    conflicts: SyncObjectState[]
    notes: string[]
  }>
  files: Array<{name: string; file: string; status: string; backup?: string; reason?: string}>
  warnings: string[]
}

export interface SyncWorld {
  cli: (...args: string[]) => ReturnType<typeof runCli>
  /** `gridsync sync --json` with these arguments, its document parsed. */
  sync: (...args: string[]) => Promise<{code: number; doc: SyncDoc; stdout: string; stderr: string}>
  /** The server's true map of this name, as `content()` shows maps. */
  truth: (name: string) => ReturnType<typeof content>
  truthNames: () => string[]
  /** Writes the sandbox was asked for so far. */
  writes: () => number
  /** The sandbox's request counts by route, to compare with later (sentSince). */
  mark: () => Record<string, number>
  /** The writes asked for since `mark`, as `<count> <route>`, sorted. */
  sentSince: (mark: Record<string, number>) => string[]
  /** After the cache time, one more sync: exit 0, these maps in sync, nothing sent. */
  assertQuiet: (names: readonly string[]) => Promise<void>
  /** A request of another client, straight to the API; its status. */
  api: (method: string, route: string, body?: object) => Promise<number>
  /** Every map file's text, by file name. */
  files: () => Promise<Record<string, string>>
  /** Every map file equals the server's true map of its name, and the server holds no other. */
  assertSidesEqual: () => Promise<void>
  /** Waits out the cache time, when the sandbox caches. */
  settle: () => Promise<void>
  /** The read cache on when `cached`; alpha.map (this text) only in the files, Beta only on the server. */
  start: (alpha: string) => Promise<void>
}

export function syncWorld(sandbox: () => Sandbox, dir: () => string, cached: boolean): SyncWorld {
  const cli = (...args: string[]) => runCli([...args, '--server', sandbox().url, '--maps-dir', dir(), '--stale-window', windowOf(cached)])
  const truth = (name: string) =>
    content(
      sandbox()
        .snapshot()
        .find((m) => m.name === name),
    )
  const truthNames = (): string[] =>
    sandbox()
      .snapshot()
      .map((m) => m.name)
      .sort()
  const files = async (): Promise<Record<string, string>> => {
    const out: Record<string, string> = {}
    for (const name of await readdir(dir())) if (name.endsWith('.map')) out[name] = await readFile(path.join(dir(), name), 'utf8')
    return out
  }

  const writes = (): number =>
    Object.entries(sandbox().stats.byRoute)
      .filter(([k]) => /^(POST|PUT|DELETE) /.test(k))
      .reduce((n, [, v]) => n + v, 0)
  const settle = async (): Promise<void> => {
    if (cached) await sleep(PAST_WINDOW_MS)
  }
  const sync = async (...args: string[]): Promise<{code: number; doc: SyncDoc; stdout: string; stderr: string}> => {
    const r = await cli('sync', '--json', ...args)
    let doc: SyncDoc
    try {
      doc = JSON.parse(r.stdout) as SyncDoc
    } catch {
      assert.fail(`sync ${args.join(' ')} printed no JSON document (exit ${r.code}): ${r.stdout}${r.stderr}`)
    }
    return {...r, doc}
  }

  const api = async (method: string, route: string, body?: object): Promise<number> => {
    const res = await fetch(`${sandbox().url}${route}`, {method, headers: {'content-type': 'application/json'}, body: body && JSON.stringify(body)})
    return res.status
  }

  return {
    cli,
    sync,
    truth,
    truthNames,
    writes,
    mark: () => ({...sandbox().stats.byRoute}),
    sentSince: (mark) =>
      Object.entries(sandbox().stats.byRoute)
        .filter(([route, n]) => /^(POST|PUT|DELETE) /.test(route) && n > (mark[route] ?? 0))
        .map(([route, n]) => `${n - (mark[route] ?? 0)} ${route}`)
        .sort(),
    async assertQuiet(names) {
      await settle()
      const sent = writes()
      const again = await sync()
      assert.equal(again.code, 0, JSON.stringify(again.doc))
      assert.deepEqual(
        again.doc.maps.map((m) => [m.name, m.action]),
        names.map((n) => [n, 'in-sync']),
      )
      assert.equal(writes(), sent, 'nothing sent')
    },
    api,
    files,
    async assertSidesEqual() {
      const {maps, invalid} = await loadMapsDir(dir())
      assert.deepEqual(invalid, [])
      for (const m of maps) assert.deepEqual(truth(m.name), content(m), `"${m.name}": server and file`)
      assert.deepEqual(truthNames(), maps.map((m) => m.name).sort())
    },
    settle,
    async start(alpha) {
      if (cached) sandbox().defects = {staleReadsTtlMs: CACHE_MS}
      await writeFile(path.join(dir(), 'alpha.map'), alpha)
      assert.equal(await api('POST', '/api/maps/', {name: 'Beta', width: 3, height: 2}), 201)
      assert.equal(await api('POST', '/api/maps/beta/obstacles/', {x: 1, y: 0}), 201)
      assert.equal(await api('POST', '/api/maps/beta/observers/', {name: 'Cee', x: 0, y: 1, vision: 1}), 201)
    },
  }
}
