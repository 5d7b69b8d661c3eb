#!/usr/bin/env node
/**
 * Start-up time of the built CLI, measured the way hyperfine would: each case run a few
 * times to warm the disk cache, then N times, the cases interleaved so that a change of
 * machine load falls on all of them alike. Prints the median, mean and spread of each.
 *
 *   node bench/startup.mjs [--runs 30] [--node PATH]... [--root DIR]...
 *
 * Each --root is a gridsync checkout (built); each --node a Node binary. Every pair is
 * measured on `--help` and on `validate` of the sample maps. Besides wall time, the CPU
 * time of the child (user + system, from /proc where there is one) is shown: on a
 * machine that others share, it moves far less with their load.
 */
import {spawnSync} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
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
    for (const args of commands) cases.push({root, node, args, times: [], cpu: []})
  }
}

/** CPU time of this process's waited-for children so far, in ms (clock ticks of 10 ms), or NaN. */
function childrenCpu() {
  if (!existsSync('/proc/self/stat')) return Number.NaN
  const fields = readFileSync('/proc/self/stat', 'utf8')
    .replace(/^.*\) /, '')
    .split(' ')
  return (Number(fields[13]) + Number(fields[14])) * 10
}

function once(c) {
  const cpu = childrenCpu()
  const started = process.hrtime.bigint()
  const r = spawnSync(c.node, [path.join(c.root, 'bin/run.js'), ...c.args], {cwd: c.root, stdio: 'ignore', env: {...process.env, NO_COLOR: '1'}})
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (r.status !== 0) throw new Error(`${c.node} ${c.args.join(' ')} in ${c.root} exited ${r.status}`)
  c.cpu.push(childrenCpu() - cpu)
  return ms
}

for (const c of cases) for (let i = 0; i < warmup; i++) once(c)
for (const c of cases) c.cpu = []
for (let i = 0; i < runs; i++) for (const c of cases) c.times.push(once(c))

const version = (node) => spawnSync(node, ['--version'], {encoding: 'utf8'}).stdout.trim()
console.log(`| checkout | node | command | median | mean | min | max | CPU mean |`)
console.log(`| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |`)
for (const c of cases) {
  const sorted = [...c.times].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)]
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length
  const f = (ms) => `${ms.toFixed(0)} ms`
  const cpu = c.cpu.reduce((a, b) => a + b, 0) / c.cpu.length
  console.log(`| ${c.root} | ${version(c.node)} | ${c.args.join(' ')} | ${f(median)} | ${f(mean)} | ${f(sorted[0])} | ${f(sorted.at(-1))} | ${f(cpu)} |`)
}
