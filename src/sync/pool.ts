/**
 * Runs `worker` over `items` with at most `limit` calls in flight, starting them in
 * order. Resolves when all have settled; the worker is expected not to throw.
 */
export async function runPool<T>(items: readonly T[], limit: number, worker: (item: T) => Promise<void>): Promise<void> {
  await runGraph(
    items.map((item) => ({after: [], run: async () => worker(item)})),
    limit,
  )
}

/** A task of runGraph(): it starts once the tasks it comes after (indices of earlier tasks) have ended. */
export interface GraphTask {
  after: readonly number[]
  /** Gets a view of the graph, e.g. to prepare the tasks about to follow. */
  run: (view: GraphView) => Promise<void>
}

/** What a running task can ask of its graph. */
export interface GraphView {
  /** Tasks ready to start, lowest index first, up to `count` of them (none are taken). */
  upcoming(count: number): number[]
}

/**
 * Runs tasks with at most `limit` in flight: each starts once every task it comes after
 * has ended, and among those ready, the lowest index goes first. Resolves when all have
 * ended; rejects at once if one throws (the others are not awaited then).
 */
export async function runGraph(tasks: readonly GraphTask[], limit: number): Promise<void> {
  const waiting = tasks.map((t) => t.after.length)
  const dependents: number[][] = tasks.map(() => [])
  for (const [i, t] of tasks.entries()) {
    for (const d of t.after) {
      if (!(d >= 0 && d < i)) throw new Error(`internal: task ${i} comes after task ${d}, which is not an earlier one`)
      dependents[d]!.push(i)
    }
  }

  const ready = new MinHeap()
  for (const [i, w] of waiting.entries()) if (w === 0) ready.push(i)
  const view: GraphView = {upcoming: (count) => ready.smallest(count)}
  const lanes = Math.max(1, limit)

  await new Promise<void>((resolve, reject) => {
    let running = 0
    let ended = 0
    const pump = (): void => {
      while (running < lanes && ready.size > 0) {
        const i = ready.pop()
        running++
        tasks[i]!.run(view).then(() => {
          running--
          ended++
          for (const j of dependents[i]!) if (--waiting[j]! === 0) ready.push(j)
          pump()
        }, reject)
      }

      if (ended === tasks.length) resolve()
    }

    pump()
  })
}

/** A binary min-heap of task indices. */
class MinHeap {
  private readonly items: number[] = []

  get size(): number {
    return this.items.length
  }

  push(value: number): void {
    const a = this.items
    a.push(value)
    let i = a.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (a[parent]! <= value) break
      a[i] = a[parent]!
      i = parent
    }

    a[i] = value
  }

  pop(): number {
    const a = this.items
    const top = a[0]!
    const last = a.pop()!
    if (a.length > 0) {
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= a.length) break
        const r = l + 1
        const child = r < a.length && a[r]! < a[l]! ? r : l
        if (a[child]! >= last) break
        a[i] = a[child]!
        i = child
      }

      a[i] = last
    }

    return top
  }

  /** The `count` smallest values, in order, without taking them. */
  smallest(count: number): number[] {
    if (count >= this.items.length) return [...this.items].sort((x, y) => x - y)
    // Walk the heap from the root, always expanding the smallest frontier entry.
    const out: number[] = []
    const frontier = new MinHeap()
    const at = new Map<number, number>()
    const a = this.items
    const visit = (i: number): void => {
      if (i < a.length) {
        frontier.push(a[i]!)
        at.set(a[i]!, i)
      }
    }

    visit(0)
    while (out.length < count && frontier.size > 0) {
      const v = frontier.pop()
      out.push(v)
      const i = at.get(v)!
      visit(2 * i + 1)
      visit(2 * i + 2)
    }

    return out
  }
}
