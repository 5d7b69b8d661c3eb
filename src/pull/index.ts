/** `gridsync pull`: safe file names, atomic writes, the per-map decisions (what it shows is in src/presenters/pull.ts). */
export {type AtomicWriteOptions, createFileAtomic, removeLeftoverTempFiles, replaceFileAtomic} from './atomic.js'
export {FileNamer, fileStem, foldName, pathInside} from './filenames.js'
export {indexLocal, type LocalFile, type PlannedMap, planPull, wantedBy} from './plan.js'
export {BACKUP_DIR, createMapsDir, pull, type PullEntry, type PullOptions, type PullResult, type PullStatus} from './pull.js'
export {type PullClient, readForPull, type RemoteItem} from './remote.js'
