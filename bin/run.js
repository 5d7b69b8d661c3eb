#!/usr/bin/env node
// oclif checks at every start that Node satisfies its own "engines" range, which loads
// the whole semver package (about 20 ms); gridsync's package.json states its engines.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1'

const {execute} = await import('@oclif/core')
await execute({dir: import.meta.url})
