#!/usr/bin/env node
/**
 * npm's `prepare` step: builds gridsync when it is installed from a checkout (`npm
 * install`, `npm install -g <checkout>`, a git dependency). An install that brought only
 * the runtime dependencies (a global install of a checkout does) lacks the build tools;
 * they are then installed into the checkout first, without running any package's scripts.
 */
import {execFileSync} from 'node:child_process'
import {createRequire} from 'node:module'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const require = createRequire(path.join(root, 'package.json'))

function resolvable(name) {
  try {
    require.resolve(`${name}/package.json`)
    return true
  } catch {
    return false
  }
}

if (!['typescript', 'oclif', 'zod', '@oclif/core'].every((name) => resolvable(name))) {
  process.stderr.write('gridsync: installing the build tools (devDependencies) into the checkout to build it\n')
  // The outer npm's settings for this install (global, its prefix, omitted dev dependencies) must not carry over.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_config_(global|location|prefix|omit|include|production|only|install_links)$/i.test(key)))
  const npm = process.env.npm_execpath
  const args = ['install', '--include=dev', '--ignore-scripts', '--no-save', '--no-audit', '--no-fund']
  if (npm) execFileSync(process.execPath, [npm, ...args], {cwd: root, stdio: 'inherit', env})
  else execFileSync('npm', args, {cwd: root, stdio: 'inherit', env, shell: process.platform === 'win32'})
}

execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], {cwd: root, stdio: 'inherit'})
