/** The map file format: parse, write, edit a file in place, load a directory, report problems. */
export {type Diagnostic, diagnosticLocation, formatDiagnostic} from './diagnostics.js'
export {type InvalidFile, type LoadResult, loadMapsDir, type SkippedFile} from './directory.js'
export {editMap, type EditResult} from './edit.js'
export {parseMap, type ParseResult} from './parse.js'
export {type WriteOptions, type WriteResult, writeMap} from './write.js'
