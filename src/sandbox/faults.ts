/**
 * When a fault switch (failBeforeWrite, dropAfterWrite) fires, in forms a test can
 * predict: the next N writes, every Nth write, a seeded probability, or a predicate.
 * Counters and random streams belong to the rule object: assigning a new object starts
 * them afresh.
 */

export interface WriteRequest {
  method: string
  /** The request path, without the query string. */
  path: string
}

export type FaultRule =
  /** The next N writes this rule sees. */
  | {next: number}
  /** Writes number N, 2N, 3N, ... that this rule sees (N >= 1). */
  | {every: number}
  /** Each write with this probability, drawn from a stream seeded by `seed` (default 1). */
  | {probability: number; seed?: number}
  | ((write: WriteRequest) => boolean)

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

  /** Whether `rule` fires for this write; every call counts as one write seen. */
  fires(rule: FaultRule | undefined, write: WriteRequest): boolean {
    if (rule === undefined) return false
    if (typeof rule === 'function') return rule(write)
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
