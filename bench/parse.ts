/**
 * How long reading map files takes with and without parsing: one 1,000 x 1,000 map,
 * and a directory of 2,000 small maps. Prints the median of several runs.
 * Run: node --import tsx bench/parse.ts
 */

import {mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {loadMapsDir, parseMap, writeMap} from '../src/format/index.js'
import type {GridMap, Observer, Position} from '../src/model/types.js'

const RUNS = 7
const SIDE = 1000
const SMALL_MAPS = 2000

/** A deterministic pseudo-random sequence, so every run measures the same map. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state / 2 ** 31
  }
}

function bigMap(): GridMap {
  const next = random(42)
  const obstacles: Position[] = []
  const observers: Observer[] = []
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const r = next()
      if (r < 0.2) obstacles.push({x, y})
      else if (r < 0.2001 && observers.length < 500) observers.push({name: `Watcher ${observers.length}`, x, y, vision: 5})
    }
  }
  return {name: 'Big Map', width: SIDE, height: SIDE, observers, obstacles}
}

function smallMap(i: number): GridMap {
  return {
    name: `Small ${i}`,
    width: 12,
    height: 6,
    observers: [
      {name: `Scout ${i}`, x: 1, y: 1, vision: 6},
      {name: `Guard ${i}`, x: 10, y: 4, vision: null},
    ],
    obstacles: [
      {x: 5, y: 1},
      {x: 6, y: 1},
      {x: 5, y: 2},
    ],
  }
}

function textOf(map: GridMap): string {
  const written = writeMap(map)
  if (!written.ok) throw new Error(written.problems.join('; '))
  return written.text
}

async function median(task: () => Promise<unknown>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint()
    await task()
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)] as number
}

function row(label: string, ms: number): string {
  return `${label.padEnd(44)}${ms.toFixed(1).padStart(10)} ms`
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gridsync-bench-'))
  try {
    const bigFile = join(dir, 'big.map')
    await writeFile(bigFile, textOf(bigMap()))
    const smallDir = join(dir, 'small')
    await mkdir(smallDir)
    for (let i = 0; i < SMALL_MAPS; i++) await writeFile(join(smallDir, `map-${i}.map`), textOf(smallMap(i)))

    const parsed = parseMap(await readFile(bigFile), bigFile)
    if (!parsed.ok) throw new Error('the generated big map does not parse')

    console.log(`median of ${RUNS} runs`)
    console.log(row(`${SIDE} x ${SIDE} map: read bytes`, await median(() => readFile(bigFile))))
    console.log(row(`${SIDE} x ${SIDE} map: read + parse`, await median(async () => parseMap(await readFile(bigFile), bigFile))))
    const readAll = async (): Promise<Buffer[]> => {
      const names = await readdir(smallDir)
      return Promise.all(names.map((name) => readFile(join(smallDir, name))))
    }
    console.log(row(`${SMALL_MAPS} small maps: read bytes`, await median(readAll)))
    console.log(row(`${SMALL_MAPS} small maps: loadMapsDir (read + parse)`, await median(() => loadMapsDir(smallDir))))
  } finally {
    await rm(dir, {recursive: true, force: true})
  }
}

await main()
