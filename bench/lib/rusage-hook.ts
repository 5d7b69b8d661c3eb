/**
 * Loaded with `node --import` into a measured child process (the CLI, the sequential
 * client): when the process exits, its own CPU time and peak resident memory are
 * written to the file named by BENCH_RUSAGE_FILE, so those figures cover that process
 * alone, never the sandbox server or the bench harness.
 */
import {writeFileSync} from 'node:fs'

const file = process.env.BENCH_RUSAGE_FILE
if (file) {
  process.on('exit', () => {
    const u = process.resourceUsage()
    writeFileSync(file, JSON.stringify({userUs: u.userCPUTime, systemUs: u.systemCPUTime, maxRssKb: u.maxRSS}))
  })
}
