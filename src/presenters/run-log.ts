/**
 * The run log in gridsync's terms: the events that tell of a plan, an operation, a
 * verdict and a pulled map, built from those results here, and written by the generic
 * log of src/log/ (which routes, stamps and redacts them but knows nothing of syncing).
 * Every command's presenter logs its result through this class.
 */

import {EventLog, type EventLogSettings} from '../log/index.js'
import type {PullEntry} from '../pull/pull.js'
import type {MapPlan, Plan} from '../sync/plan-types.js'
import type {MapVerification, OpResult, Verification} from '../sync/result-types.js'
import type {ConflictEvent, InvalidFileEvent, OperationEvent, PlanEvent, PullMapEvent, VerifyEvent} from '../log/events.js'

export type RunLogSettings = EventLogSettings

export class RunLog extends EventLog {
  /** The plan, its run-wide warnings, its invalid files and its maps in conflict. */
  plan(plan: Plan): void {
    this.emit(planEvent(plan))
    // The human report shows the plan's warnings itself.
    for (const w of plan.warnings) this.warning(w, {shownInReport: true})
    for (const m of plan.maps) {
      if (m.action === 'conflict') this.emit(conflictEvent(m))
      if (m.action !== 'invalid' || m.file === undefined) continue
      const file = m.file
      // The notes of an invalid map: why it is left alone, then its problems as `path:line:column: message`.
      this.invalidFile(
        file,
        m.name === file ? undefined : m.name,
        m.notes.filter((n) => n.startsWith(`${file}:`)),
      )
    }
  }

  invalidFile(file: string, map: string | undefined, problems: readonly string[]): void {
    this.emit(invalidFileEvent(file, map, problems))
  }

  operation(r: OpResult): void {
    this.emit(operationEvent(r))
  }

  verification(v: Verification): void {
    for (const m of v.maps) this.emit(verifyEvent(m))
  }

  pullMap(entry: PullEntry): void {
    this.emit(pullMapEvent(entry))
  }
}

/** The object an operation acts on, as the `object` key shows it. */
function objectOf(op: OpResult['op']): string | null {
  switch (op.kind) {
    case 'createObserver':
    case 'updateObserver':
    case 'deleteObserver':
      return op.observer.name
    case 'createObstacle':
    case 'deleteObstacle':
      return `${op.position.x},${op.position.y}`
    case 'createMap':
    case 'updateMap':
    case 'deleteMap':
      return null
  }
}

export function operationEvent(r: OpResult): OperationEvent {
  return {
    event: 'operation',
    id: r.op.id,
    kind: r.op.kind,
    map: r.op.map,
    object: objectOf(r.op),
    outcome: r.outcome,
    status: r.status ?? null,
    detail: r.detail ?? null,
    durationMs: r.durationMs,
  }
}

export function planEvent(plan: Plan): PlanEvent {
  const s = plan.summary
  return {
    event: 'plan',
    summary: {
      maps: {create: s.maps.create, update: s.maps.update, delete: s.maps.delete, unchanged: s.maps.unchanged, rebuild: s.maps.rebuild, rename: s.maps.rename},
      observers: {create: s.observers.create, update: s.observers.update, delete: s.observers.delete},
      obstacles: {create: s.obstacles.create, delete: s.obstacles.delete},
    },
    operations: plan.operations.length,
    invalidFiles: plan.maps.filter((m) => m.action === 'invalid').length,
    conflicts: plan.maps.filter((m) => m.action === 'conflict').length,
  }
}

export function verifyEvent(m: MapVerification): VerifyEvent {
  const e = m.evidence
  return {
    event: 'verify',
    map: m.name,
    verdict: m.verdict,
    differences: [...m.differences],
    advice: m.advice ?? null,
    evidence: e?.kind ?? null,
    evidenceAt: e ? new Date(e.at).toISOString() : null,
    until: e?.until === undefined ? null : new Date(e.until).toISOString(),
  }
}

export function conflictEvent(m: MapPlan): ConflictEvent {
  return {event: 'conflict', map: m.name, detail: m.notes.join('; ')}
}

export function invalidFileEvent(file: string, map: string | undefined, problems: readonly string[]): InvalidFileEvent {
  return {event: 'invalid-file', file, map: map ?? null, problems: [...problems]}
}

export function pullMapEvent(e: PullEntry): PullMapEvent {
  return {event: 'pull-map', name: e.name, status: e.status, file: e.file ?? null, backup: e.backup ?? null, reason: e.reason ?? null}
}
