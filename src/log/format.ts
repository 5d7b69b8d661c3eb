import type {LogEvent, LogFormat, OperationEvent, OperationKind, RunEndEvent} from './events.js'

/**
 * Log lines. `json`: one JSON object per line (NDJSON), keys in the order the event
 * was built. `text`: `<time> <command> <what happened>`, one plain line per event,
 * control characters escaped so that no value can break or rewrite the line.
 */

export function formatEvent(e: LogEvent, format: LogFormat): string {
  return format === 'json' ? JSON.stringify(e) : formatText(e)
}

export function formatText(e: LogEvent): string {
  return escapeControls(`${e.time} ${e.command} ${describe(e)}`)
}

/** The closing line of a run on stdout: `gridsync push: 76 applied, ...; exit 0 in 1.2 s`. */
export function summaryLine(e: LogEvent & RunEndEvent): string {
  return escapeControls(`gridsync ${e.command}: ${ending(e)}`)
}

function ending(e: RunEndEvent): string {
  return `${e.summary}; exit ${e.exitCode} in ${(e.durationMs / 1000).toFixed(1)} s`
}

function describe(e: LogEvent): string {
  switch (e.event) {
    case 'run-start': {
      const parts = [`gridsync ${e.version}`]
      if (e.server !== null) parts.push(`server ${e.server}`)
      if (e.mapsDir !== null) parts.push(`maps dir ${e.mapsDir}`)
      parts.push(`pid ${e.pid}`)
      return `started: ${parts.join(', ')}`
    }

    case 'plan': {
      const {maps, observers, obstacles} = e.summary
      const invalid = e.invalidFiles > 0 ? `; ${count(e.invalidFiles, 'invalid file')}` : ''
      const conflicts = e.conflicts > 0 ? `; ${count(e.conflicts, 'map')} in conflict` : ''
      return (
        `plan: ${count(maps.create, 'map')} to create, ${maps.update} to update, ${maps.delete} to delete, ` +
        `${maps.unchanged} unchanged; observers +${observers.create} ~${observers.update} -${observers.delete}; ` +
        `obstacles +${obstacles.create} -${obstacles.delete}; ${count(e.operations, 'operation')}${invalid}${conflicts}`
      )
    }

    case 'operation': {
      const status = e.status === null ? '' : ` (HTTP ${e.status})`
      const detail = e.detail === null ? '' : `: ${e.detail}`
      return `${operationText(e)} on "${e.map}": ${e.outcome} ${e.durationMs} ms${status}${detail}`
    }

    case 'verify':
      return `verify "${e.map}": ${e.verdict}${e.differences.length > 0 ? `: ${e.differences.join('; ')}` : ''}${e.verdict === 'confirmed' || e.advice === null ? '' : ` (${e.advice})`}`
    case 'invalid-file':
      return `invalid file ${e.file}${e.map === null ? '' : ` ("${e.map}")`}: ${e.problems.join('; ')}`
    case 'conflict':
      return `conflict "${e.map}": ${e.detail}`
    case 'pull-map': {
      const file = e.file === null ? '' : ` ${e.file}`
      const backup = e.backup === null ? '' : ` (previous content kept in ${e.backup})`
      const reason = e.reason === null ? '' : `: ${e.reason}`
      return `map "${e.name}": ${e.status}${file}${backup}${reason}`
    }

    case 'warning':
      return `warning: ${e.message}`
    case 'error':
      return `error: ${e.message} (exit ${e.exitCode})`
    case 'run-end':
      return `finished: ${ending(e)}`
    case 'request': {
      const answer = e.status === null ? `no answer (${e.error ?? 'unknown'})` : `${e.status}${e.error === null ? '' : ` (${e.error})`}`
      return `http ${e.method} ${e.url} -> ${answer} in ${e.durationMs} ms, attempt ${e.attempt}`
    }
  }
}

/** `create obstacle (3,4)`, `update observer "Fancy Observer A"`, `delete map`. */
function operationText(e: OperationEvent): string {
  const words = kindWords(e.kind)
  if (e.object === null) return words
  return e.kind.endsWith('Obstacle') ? `${words} (${e.object})` : `${words} "${e.object}"`
}

/** `createObstacle` -> `create obstacle`. */
function kindWords(kind: OperationKind): string {
  return kind.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)
}

/** `1 map`, `3 maps`: a number with its noun (an English plural in s). */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

/**
 * Control characters (a newline in a map name, say) and direction overrides as `\uXXXX`,
 * so one event stays one line and reads as written.
 */
export function escapeControls(text: string): string {
  return text.replace(/[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
