#!/usr/bin/env node
// oclif checks at every start that Node satisfies its own "engines" range, which loads
// the whole semver package (about 20 ms); gridsync's package.json states its engines.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'

// oclif's parts are imported by their own entry points (here and in src/), not through
// the package index, which loads all of them.
const {execute} = await import('@oclif/core/execute')
await execute({dir: import.meta.url})
