import * as Errors from '@oclif/core/errors'
import * as Flags from '@oclif/core/flags'

import {BaseCommand} from '../cli/base-command.js'
import {withEnv} from '../cli/flags.js'
import {ExitCode, GridsyncError} from '../exit-codes.js'
import {type Sandbox, type SandboxDefects, type SandboxRequestLog, startSandbox} from '../sandbox/index.js'

/** A version as the OpenAPI document states it: MAJOR.MINOR.PATCH, optionally with a pre-release and build part. */
const VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/

/** One request as `--log` prints it: `GET /api/maps/ 200 1.2 ms` (`-` for a connection dropped unanswered). */
function requestLine(r: SandboxRequestLog): string {
  return `${r.method} ${r.path} ${r.status ?? '-'} ${r.durationMs.toFixed(1)} ms`
}

function defectSummary(defects: SandboxDefects, connectionClose: boolean): string[] {
  const on: string[] = []
  if (defects.staleReadsTtlMs) on.push(`stale reads for ${defects.staleReadsTtlMs / 1000} s`)
  if (defects.ignoreObstacleDeletes) on.push('obstacle deletes ignored')
  if (defects.latencyMs) on.push(`${defects.latencyMs} ms latency`)
  if (connectionClose) on.push('Connection: close')
  return on
}

function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve(signal)
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
}

export default class SandboxCommand extends BaseCommand<typeof SandboxCommand> {
  static override summary = 'Run a local Gridmap API server, in memory, to rehearse a sync offline.'
  static override description = `The sandbox answers like the Gridmap API (routes, status codes, slugs, name rules) and keeps its data in memory until it stops (Ctrl-C or SIGTERM, at once: requests still being answered are cut off). It starts correct; flags switch on the defects of the reference server, so a sync can be rehearsed against those too.`

  static override examples = [
    {description: 'Listen on any free port (the URL is printed):', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Print every request it answers:', command: '<%= config.bin %> <%= command.id %> --log'},
    {description: 'Listen on port 5000:', command: '<%= config.bin %> <%= command.id %> --port 5000'},
    {
      description: 'Behave like the reference server, defects included:',
      command: '<%= config.bin %> <%= command.id %> --port 5000 --stale-reads 300 --ignore-obstacle-deletes --connection-close',
    },
  ]

  static override flags = withEnv({
    port: Flags.integer({description: 'TCP port to listen on; 0 (the default) picks a free one.', default: 0, min: 0, max: 65_535, helpValue: 'N'}),
    host: Flags.string({description: 'Address to listen on.', default: '127.0.0.1'}),
    'stale-reads': Flags.custom<number>({
      description: 'Serve GET answers of the map list, maps and observers from a cache for SECONDS; writes do not clear it.',
      helpValue: 'SECONDS',
      parse: async (input) => {
        const seconds = Number(input)
        if (input.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
          throw new Errors.CLIError(`Expected a non-negative number of seconds for --stale-reads, got '${input}'`)
        }
        return seconds
      },
    })(),
    'ignore-obstacle-deletes': Flags.boolean({description: 'Answer obstacle DELETEs with 204 and remove nothing.'}),
    latency: Flags.integer({description: 'Wait MS milliseconds before handling each request.', min: 0, helpValue: 'MS'}),
    'connection-close': Flags.boolean({description: 'Send Connection: close on every answer instead of keeping connections alive.'}),
    'api-version': Flags.string({
      description: 'API version the OpenAPI document announces: MAJOR.MINOR.PATCH, such as 1.0.0 or 2.0.0-beta.1.',
      default: '1.0.0',
      helpValue: 'X.Y.Z',
      parse: async (input) => {
        if (!VERSION.test(input)) throw new Errors.CLIError(`Expected a version such as 1.0.0 or 2.0.0-beta.1 for --api-version, got '${input}'`)
        return input
      },
    }),
    log: Flags.boolean({description: 'Print a line on stdout for every request: method, path, status and duration.', default: false}),
  })

  async run(): Promise<void> {
    const {flags} = this
    const defects: SandboxDefects = {
      staleReadsTtlMs: (flags['stale-reads'] ?? 0) * 1000,
      ignoreObstacleDeletes: flags['ignore-obstacle-deletes'],
      latencyMs: flags.latency ?? 0,
    }
    const sandbox = await this.start(defects)
    const stopped = waitForSignal()
    this.log(`Gridmap sandbox listening on ${sandbox.url}`)
    const on = defectSummary(defects, flags['connection-close'])
    if (on.length > 0) this.log(`Defects on: ${on.join(', ')}`)
    await stopped
    await sandbox.close()
  }

  private async start(defects: SandboxDefects): Promise<Sandbox> {
    const {flags} = this
    try {
      return await startSandbox({
        port: flags.port,
        host: flags.host,
        apiVersion: flags['api-version'],
        connectionClose: flags['connection-close'],
        defects,
        ...(flags.log ? {onRequest: (r: SandboxRequestLog) => this.log(requestLine(r))} : {}),
      })
    } catch (err) {
      const {code, message} = err as NodeJS.ErrnoException
      if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES') {
        throw new GridsyncError(`Cannot listen on ${flags.host} port ${flags.port}: ${message}`, ExitCode.USAGE, code)
      }
      throw err
    }
  }
}
