import {type EventBody, levelOf, type LogEvent, type LogFormat} from './events.js'
import {formatEvent} from './format.js'
import {Redactor} from './redact.js'

/** Where some of a run's events go, as lines of one format. */
export interface Route {
  format: LogFormat
  write(line: string): void
  /** Which events this route takes (all when left out). */
  accepts?(e: LogEvent): boolean
}

export interface LoggerOptions {
  command: string
  routes: Route[]
  redactor?: Redactor
  now?: () => number
}

/**
 * Stamps each event with its time, level and command, removes secrets from it, and
 * hands one line to each route that takes it.
 */
export class Logger {
  private readonly redactor: Redactor

  constructor(private readonly opts: LoggerOptions) {
    this.redactor = opts.redactor ?? new Redactor()
  }

  emit(body: EventBody): LogEvent {
    const time = new Date((this.opts.now ?? Date.now)()).toISOString()
    const {event, ...rest} = this.redactor.value(body)
    const e = {time, level: levelOf(body), event, command: this.opts.command, ...rest} as LogEvent
    for (const route of this.opts.routes) {
      if (!route.accepts || route.accepts(e)) route.write(formatEvent(e, route.format))
    }

    return e
  }
}
