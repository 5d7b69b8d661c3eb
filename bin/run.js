#!/usr/bin/env node
// Where Node offers it (22.1 and later), compiled code is cached on disk between runs,
// which shortens every start after the first; Node 20 has no such cache.
import module from 'node:module'

// eslint-disable-next-line @typescript-eslint/no-unsafe-call -- Node 20's types do not know it; it is called only where it exists
module.enableCompileCache?.()

// oclif checks at every start that Node satisfies its own "engines" range, which loads
// the whole semver package (about 20 ms); gridsync's package.json states its engines.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'

// oclif's parts are imported by their own entry points (here and in src/), not through
// the package index, which loads all of them.
const {execute} = await import('@oclif/core/execute')
await execute({dir: import.meta.url})
