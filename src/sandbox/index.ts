/**
 * The Gridmap sandbox: an in-memory server that answers like the Gridmap API, with
 * the reference server's defects behind switches. Used by end-to-end tests and by
 * `gridsync sandbox` to rehearse a sync offline.
 */
export {type FaultRequest, type FaultRule, seededRandom, type WriteRequest} from './faults.js'
export {slugify} from './slug.js'
export {
  type FaultName,
  realClock,
  type Sandbox,
  type SandboxClock,
  type SandboxDefects,
  type SandboxOptions,
  type SandboxRequestLog,
  type SandboxStats,
  startSandbox,
} from './server.js'
export type {SandboxMapState, SandboxObserverState, SeedMap} from './store.js'
