import {haltTally} from '../sync/halt.js'
import type {ApplyResult} from '../sync/result-types.js'

/**
 * Every `--json` document of diff, push, pull and validate states the exit code of its
 * run at the top, right after `schemaVersion`, so a script can read the outcome from the
 * document alone. The error document (`status`, `exitCode`, `error`) has it too.
 */
export function withExitCode<T extends {schemaVersion: number}>(doc: T, exitCode: number): {schemaVersion: T['schemaVersion']; exitCode: number} & Omit<T, 'schemaVersion'> {
  const {schemaVersion, ...rest} = doc
  return {schemaVersion, exitCode, ...rest}
}

/**
 * A diff or push JSON document with what the run says beside the plan: the journal's
 * earlier unfinished runs first among the warnings and, when the push stopped sending
 * early, `stopped` {reason, exitCode, sent, notSent}.
 */
export function withRunNotes<D extends {warnings: string[]}>(doc: D, notes: {notices: readonly string[]; apply?: ApplyResult}): D {
  const halted = notes.apply?.halted
  const withNotices = {...doc, warnings: [...notes.notices, ...doc.warnings]}
  if (!halted || !notes.apply) return withNotices
  const {sent, notSent} = haltTally(notes.apply)
  return {...withNotices, stopped: {reason: halted.reason, exitCode: halted.exitCode, sent, notSent}}
}
