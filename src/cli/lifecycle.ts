/**
 * The run lifecycle of the commands that log a run (validate, diff, push, pull), the
 * same for each and written once. A command states what it needs; the lifecycle builds
 * the nesting around its work and takes it down again whatever happens:
 *
 *   run log (run-start ... run-end, an error logged with its exit code)
 *     interruption watch (SIGINT/SIGTERM: stop sending, end with 130/143)  if asked
 *       the maps directory's lock (created first for pull)                 if asked
 *         connection (the sandbox for --server sandbox), always closed     if asked
 *           the server's API version check: before the work, or alongside its first reads
 *             the work, which returns its result's presenter
 *
 * Then it shows the result, in one order for every command: the presenter's events, the
 * exit code (set on the process explicitly: oclif loses custom exit codes with --json),
 * the human report (or the page asked for in its place), the run's last event with its
 * tallies and the summary line, and the `--json` document, which the command returns.
 *
 * The connection and the lock are loaded on demand, so that validate, which needs
 * neither, starts without the HTTP client.
 */

import type {ConnectionSettings, Connection} from './connection.js'
import {Interruption} from './interrupt.js'
import {type LogFlags, type LoggingCommand, openRunLog, type RunLogOptions} from './log-flags.js'
import {checkServerVersion} from './version-check.js'
import type {Presenter} from '../presenters/presenter.js'
import type {RunLog} from '../presenters/run-log.js'

export interface Needs {
  /** How the run's log shares stdout with the command's own output (see openRunLog). */
  output?: RunLogOptions
  /** The run handles SIGINT and SIGTERM itself: it stops sending and ends with 130 or 143 (push). */
  interruption?: boolean
  /** Hold the maps directory's lock while the work runs; `create` makes the directory first (pull). */
  lock?: boolean | 'create'
  /**
   * Connect to the server and check its API version: `before` the work starts, or
   * `alongside` the work's first reads, which awaits `server.versionChecked` and says
   * when the warnings of connecting may be logged (`server.releaseWarnings`).
   */
  connect?: 'before' | 'alongside'
}

/** The connection of a run, with its API version check under way. */
export interface ServerSession {
  readonly conn: Connection
  /** Settles once the server's API version is checked; rejects when it does not match. */
  readonly versionChecked: Promise<void>
  /**
   * Logs `first` (e.g. the journal's word on earlier runs), then the warnings of
   * connecting and of the version check, which wait until then; later ones are logged at once.
   */
  releaseWarnings(first?: readonly string[]): void
}

/** What the work of a run is given: always the log; the rest as its needs say. */
export type RunContext<N extends Needs> = {log: RunLog} & (N['interruption'] extends true ? {interruption: Interruption} : unknown) &
  (N['connect'] extends 'before' | 'alongside' ? {server: ServerSession} : unknown)

/** The flags the lifecycle reads: those of the log, and with its needs, of the maps directory, the lock and the server. */
export interface LifecycleFlags extends LogFlags, Partial<ConnectionSettings> {
  'maps-dir'?: string
  'wait-lock'?: number
  'skip-version-check'?: boolean
}

/**
 * Runs `work` with what `needs` asks for, for the command `cmd` named `command` (as its
 * events, its summary line and the lock name it), and shows the presenter it returns.
 */
export async function runLifecycle<N extends Needs>(
  cmd: LoggingCommand,
  command: string,
  flags: LifecycleFlags,
  needs: N,
  work: (ctx: RunContext<N>) => Promise<Presenter>,
): Promise<unknown> {
  const log = openRunLog(cmd, command, flags, needs.output)
  const interruption = needs.interruption ? Interruption.watch((m) => log.warning(m)) : undefined
  const ctx: {log: RunLog; interruption?: Interruption; server?: ServerSession} = {log, interruption}
  const present = async (): Promise<unknown> => show(cmd, log, await work(ctx as RunContext<N>))
  const connected = needs.connect === undefined ? present : () => withServer(flags, log, needs.connect!, ctx, present)
  const locked = needs.lock ? () => withMapsDirLock(flags, {command, create: needs.lock === 'create'}, log, interruption, connected) : connected
  try {
    return await log.run({server: flags.server, mapsDir: flags['maps-dir']}, interruption ? () => interruption.guard(locked) : locked)
  } finally {
    interruption?.dispose()
  }
}

/** Shows a result: its events, the exit code, the report (or its page), the last event; returns the document under --json. */
async function show(cmd: LoggingCommand, log: RunLog, presenter: Presenter): Promise<unknown> {
  presenter.logEvents(log)
  process.exitCode = presenter.exitCode
  if (presenter.page) cmd.log(await presenter.page())
  else for (const block of presenter.report()) log.report(block)
  log.end(presenter.exitCode, presenter.totals())
  return cmd.jsonEnabled() ? presenter.document() : undefined
}

async function withMapsDirLock<T>(
  flags: LifecycleFlags,
  opts: {command: string; create: boolean},
  log: RunLog,
  interruption: Interruption | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  const dir = required(flags['maps-dir'], 'maps-dir')
  if (opts.create) {
    const {createMapsDir} = await import('../pull/pull.js')
    await createMapsDir(dir)
  }

  const {withLock} = await import('./lock-flags.js')
  return withLock(dir, {command: opts.command, waitSeconds: flags['wait-lock'] ?? 0, notice: (m) => log.warning(m), interruption}, fn)
}

async function withServer<T>(flags: LifecycleFlags, log: RunLog, when: 'before' | 'alongside', ctx: {server?: ServerSession}, fn: () => Promise<T>): Promise<T> {
  const {connect} = await import('./connection.js')
  const conn = await connect({...flags, server: required(flags.server, 'server')} as ConnectionSettings, (a) => log.attempt(a))
  try {
    const held = [...conn.warnings]
    let warn = (message: string): void => {
      held.push(message)
    }
    const versionChecked = checkServerVersion(conn.client, flags['skip-version-check'] === true, (m) => warn(m))
    versionChecked.catch(() => {})
    const server: ServerSession = {
      conn,
      versionChecked,
      releaseWarnings(first = []) {
        for (const m of [...first, ...held.splice(0)]) log.warning(m)
        warn = (m) => log.warning(m)
      },
    }
    ctx.server = server
    if (when === 'before') {
      server.releaseWarnings()
      await versionChecked
    }

    return await fn()
  } finally {
    await conn.close()
  }
}

function required<T>(value: T | undefined, flag: string): T {
  if (value === undefined) throw new Error(`the run needs --${flag}, which this command does not have`)
  return value
}
