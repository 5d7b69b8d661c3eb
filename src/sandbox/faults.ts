/**
 * When a fault switch (failBeforeWrite, dropAfterWrite, throttle, stall, ...) fires, in
 * forms a test can predict: the next N requests it sees, every Nth, a seeded
 * probability, or a predicate. Each switch sees only the requests it applies to (writes
 * for failBeforeWrite, answers with a body for truncateBody...). Counters and random
 * streams belong to the rule object: assigning a new object starts them afresh.
 */

export interface FaultRequest {
  method: string
  /** The request path, without the query string. */
  path: string
}

/** The request a write fault sees (the name the first fault switches used). */
export type WriteRequest = FaultRequest

export type FaultRule =
  /** The next N requests this rule sees. */
  | {next: number}
  /** Requests number N, 2N, 3N, ... that this rule sees (N >= 1). */
  | {every: number}
  /** Each request with this probability, drawn from a stream seeded by `seed` (default 1). */
  | {probability: number; seed?: number}
  | ((request: FaultRequest) => boolean)

/** A small xorshift generator: the same seed gives the same stream, in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed | 0 || 0x2545f491
  return () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 0x1_0000_0000
  }
}

interface RuleState {
  seen: number
  random?: () => number
}

export class FaultTracker {
  private states = new WeakMap<object, RuleState>()

  /** Whether `rule` fires for this request; every call counts as one request seen. */
  fires(rule: FaultRule | undefined, request: FaultRequest): boolean {
    if (rule === undefined) return false
    if (typeof rule === 'function') return rule(request)
    let state = this.states.get(rule)
    if (!state) {
      state = {seen: 0}
      this.states.set(rule, state)
    }
    state.seen++
    if ('next' in rule) return state.seen <= rule.next
    if ('every' in rule) return state.seen % rule.every === 0
    state.random ??= seededRandom(rule.seed ?? 1)
    return state.random() < rule.probability
  }

  reset(): void {
    this.states = new WeakMap()
  }
}
