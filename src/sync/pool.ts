/**
 * Runs `worker` over `items` with at most `limit` calls in flight, starting them in
 * order. Resolves when all have settled; the worker is expected not to throw.
 */
export async function runPool<T>(items: readonly T[], limit: number, worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!
      // eslint-disable-next-line no-await-in-loop
      await worker(item)
    }
  }

  await Promise.all(Array.from({length: Math.max(1, Math.min(limit, items.length))}, lane))
}
