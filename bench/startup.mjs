#!/usr/bin/env node
/**
 * Start-up time of the built CLI, measured the way hyperfine would: each case run a few
 * times to warm the disk cache, then N times, the cases interleaved so that a change of
 * machine load falls on all of them alike. Prints the median, mean and spread of each.
 *
 *   node bench/startup.mjs [--runs 30] [--node PATH]... [--root DIR]...
 *
 * Each --root is a gridsync checkout (built); each --node a Node binary. Every pair is
 * measured on `--help` and on `validate` of the sample maps.
 */
import {spawnSync} from 'node:child_process'
import path from 'node:path'
import {parseArgs} from 'node:util'

const {values} = parseArgs({
  options: {
    runs: {type: 'string', default: '30'},
    warmup: {type: 'string', default: '3'},
    node: {type: 'string', multiple: true},
    root: {type: 'string', multiple: true},
  },
})
const runs = Number(values.runs)
const warmup = Number(values.warmup)
const nodes = values.node ?? [process.execPath]
const roots = values.root ?? [path.resolve(import.meta.dirname, '..')]
const commands = [['--help'], ['validate']]

const cases = []
for (const root of roots) {
  for (const node of nodes) {
    for (const args of commands) cases.push({root, node, args, times: []})
  }
}

function once(c) {
  const started = process.hrtime.bigint()
  const r = spawnSync(c.node, [path.join(c.root, 'bin/run.js'), ...c.args], {cwd: c.root, stdio: 'ignore', env: {...process.env, NO_COLOR: '1'}})
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (r.status !== 0) throw new Error(`${c.node} ${c.args.join(' ')} in ${c.root} exited ${r.status}`)
  return ms
}

for (const c of cases) for (let i = 0; i < warmup; i++) once(c)
for (let i = 0; i < runs; i++) for (const c of cases) c.times.push(once(c))

const version = (node) => spawnSync(node, ['--version'], {encoding: 'utf8'}).stdout.trim()
console.log(`| checkout | node | command | median | mean | min | max |`)
console.log(`| --- | --- | --- | ---: | ---: | ---: | ---: |`)
for (const c of cases) {
  const sorted = [...c.times].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)]
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length
  const f = (ms) => `${ms.toFixed(0)} ms`
  console.log(`| ${c.root} | ${version(c.node)} | ${c.args.join(' ')} | ${f(median)} | ${f(mean)} | ${f(sorted[0])} | ${f(sorted.at(-1))} |`)
}
