/**
 * Errors that a run's log has already written to stderr as an event (with
 * `--log-format json`): the base command then adds no `Error:` line of its own, so
 * stderr stays pure NDJSON.
 */
const logged = new WeakSet<object>()

export function markLoggedToStderr(error: unknown): void {
  if (typeof error === 'object' && error !== null) logged.add(error)
}

export function wasLoggedToStderr(error: unknown): boolean {
  return typeof error === 'object' && error !== null && logged.has(error)
}
