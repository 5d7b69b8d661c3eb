import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {type GraphTask, type GraphView, runGraph, runPool} from '../../../src/sync/pool.js'

/** A promise with its resolve function, to end tasks in a chosen order. */
function gate(): {promise: Promise<void>; open: () => void} {
  let open!: () => void
  const promise = new Promise<void>((resolve) => {
    open = resolve
  })
  return {promise, open}
}

const tick = async () => new Promise<void>((resolve) => setImmediate(resolve))

describe('runGraph', () => {
  it('starts a task only once every task it comes after has ended', async () => {
    const log: string[] = []
    const tasks: GraphTask[] = [
      {after: [], run: async () => void log.push('a')},
      {after: [], run: async () => void log.push('b')},
      {after: [0, 1], run: async () => void log.push('c')},
      {after: [2], run: async () => void log.push('d')},
    ]
    await runGraph(tasks, 4)
    assert.deepEqual(log, ['a', 'b', 'c', 'd'])
  })

  it('keeps at most `limit` tasks running, and starts the lowest ready index first', async () => {
    const gates = Array.from({length: 6}, gate)
    const started: number[] = []
    let running = 0
    let most = 0
    const tasks: GraphTask[] = gates.map((g, i) => ({
      after: i === 5 ? [0] : [],
      async run() {
        started.push(i)
        running++
        most = Math.max(most, running)
        await g.promise
        running--
      },
    }))
    const done = runGraph(tasks, 2)
    await tick()
    assert.deepEqual(started, [0, 1])
    gates[0]!.open()
    await tick()
    // Task 5 became ready when 0 ended, but 2 is ready too and comes first.
    assert.deepEqual(started, [0, 1, 2])
    for (const g of gates) g.open()
    await done
    assert.deepEqual(started, [0, 1, 2, 3, 4, 5])
    assert.equal(most, 2)
  })

  it('shows a running task the ready ones, in order, without taking them', async () => {
    const seen: number[][] = []
    const tasks: GraphTask[] = [5, 3, 4, 1, 2, 0].map(() => ({after: [], run: async () => {}}))
    tasks[0] = {
      after: [],
      async run(view: GraphView) {
        seen.push(view.upcoming(3), view.upcoming(10))
      },
    }
    await runGraph(tasks, 1)
    assert.deepEqual(seen, [
      [1, 2, 3],
      [1, 2, 3, 4, 5],
    ])
  })

  it('lists the ready tasks in order whatever order they became ready in', async () => {
    const gates = Array.from({length: 7}, gate)
    const started: number[] = []
    let view: GraphView | undefined
    // Three lanes: task 0 holds one and watches; task 1 ends first and readies 5 and 6 (5 takes
    // its lane), then task 2 readies 3 and 4 (3 takes its lane): 6 became ready before 4.
    const after = [[], [], [], [2], [2], [1], [1]]
    const tasks: GraphTask[] = after.map((deps, i) => ({
      after: deps,
      async run(v: GraphView) {
        started.push(i)
        if (i === 0) view = v
        await gates[i]!.promise
      },
    }))
    const done = runGraph(tasks, 3)
    await tick()
    gates[1]!.open()
    await tick()
    gates[2]!.open()
    await tick()
    assert.deepEqual(started, [0, 1, 2, 5, 3])
    assert.deepEqual(view!.upcoming(10), [4, 6])
    assert.deepEqual(view!.upcoming(1), [4])
    for (const g of gates) g.open()
    await done
    assert.deepEqual(started, [0, 1, 2, 5, 3, 4, 6])
  })

  it('rejects when a task throws', async () => {
    await assert.rejects(
      runGraph(
        [
          {after: [], run: async () => {}},
          {
            after: [0],
            async run() {
              throw new Error('boom')
            },
          },
        ],
        2,
      ),
      /boom/,
    )
  })

  it('refuses a task that comes after a later one', async () => {
    await assert.rejects(
      runGraph(
        [
          {after: [1], run: async () => {}},
          {after: [], run: async () => {}},
        ],
        2,
      ),
      /not an earlier one/,
    )
  })

  it('resolves at once with no tasks', async () => {
    await runGraph([], 4)
    await runPool([], 4, async () => {})
  })
})
