import type {Observer, Position} from '../model/types.js'
import type {Evidence} from '../sync/knowledge.js'
import {refutedText} from '../sync/plan.js'
import type {MapChanges, MapPlan, Operation, Plan, PlanSummary} from '../sync/plan-types.js'
import type {ApplyResult, OpOutcome, OpResult, Verification} from '../sync/result-types.js'
import {SCHEMA_VERSION} from '../schema-version.js'

/**
 * The JSON documents of `diff --json` and `push --json`: plain data with a fixed key
 * order, no undefined values, and no URLs or slugs inside the change lists.
 */

export {SCHEMA_VERSION} from '../schema-version.js'

/** A JSON value. */
export type Json = null | boolean | number | string | Json[] | {[key: string]: Json}

export interface PlanDocument {
  schemaVersion: typeof SCHEMA_VERSION
  server: string
  summary: PlanSummary
  maps: Json[]
  operations: Json[]
  warnings: string[]
}

export interface PushDocument extends PlanDocument {
  apply: {counts: Record<OpOutcome, number>; results: Json[]}
  verification?: {skipped: boolean; maps: Json[]}
}

export function planDocument(plan: Plan): PlanDocument {
  return {
    schemaVersion: SCHEMA_VERSION,
    server: plan.server,
    summary: summaryData(plan.summary),
    maps: plan.maps.map(mapData),
    operations: plan.operations.map(operationData),
    warnings: [...plan.warnings],
  }
}

export function pushDocument(plan: Plan, apply: ApplyResult, verification?: Verification): PushDocument {
  return {
    ...planDocument(plan),
    apply: {counts: countsData(apply.counts), results: apply.results.map(resultData)},
    ...(verification === undefined ? {} : {verification: verificationData(verification)}),
  }
}

function verificationData(v: Verification): {skipped: boolean; maps: Json[]} {
  return {
    skipped: v.skipped,
    maps: v.maps.map((m) => ({
      name: m.name,
      verdict: m.verdict,
      differences: [...m.differences],
      ...(m.advice === undefined ? {} : {advice: m.advice}),
      ...(m.evidence === undefined ? {} : {evidence: evidenceData(m.evidence)}),
    })),
  }
}

/**
 * What a claim about a map rests on: `kind` (read, writes, gone, unlisted, listing; see
 * sync/knowledge.ts), when it was taken, why a read is trusted, and until when the
 * server's answers cannot show gridsync's writes (kind writes).
 */
export function evidenceData(e: Evidence): Json {
  return {
    kind: e.kind,
    at: new Date(e.at).toISOString(),
    trust: e.trust ?? null,
    until: e.until === undefined ? null : new Date(e.until).toISOString(),
    listed: e.listed,
    wroteAt: e.wroteAt === undefined ? null : new Date(e.wroteAt).toISOString(),
  }
}

function summaryData(s: PlanSummary): PlanSummary {
  return {
    maps: {create: s.maps.create, update: s.maps.update, delete: s.maps.delete, unchanged: s.maps.unchanged, rebuild: s.maps.rebuild, rename: s.maps.rename},
    observers: {create: s.observers.create, update: s.observers.update, delete: s.observers.delete},
    obstacles: {create: s.obstacles.create, delete: s.obstacles.delete},
  }
}

function mapData(mp: MapPlan): Json {
  return {
    name: mp.name,
    action: mp.action,
    ...(mp.file === undefined ? {} : {file: mp.file}),
    ...(mp.url === undefined ? {} : {url: mp.url}),
    ...(mp.renamedFrom === undefined ? {} : {renamedFrom: mp.renamedFrom}),
    ...(mp.evidence === undefined ? {} : {evidence: evidenceData(mp.evidence)}),
    ...(mp.conflicts === undefined ? {} : {conflicts: mp.conflicts.map((c) => ({object: c.what, known: c.a, server: c.b}))}),
    ...(mp.refuted === undefined ? {} : {refuted: mp.refuted.map((op) => refutedText(op))}),
    ...(mp.resize === undefined ? {} : {resize: {from: sizeData(mp.resize.from), to: sizeData(mp.resize.to)}}),
    changes: changesData(mp.changes),
    notes: [...mp.notes],
  }
}

function changesData(c: MapChanges): Json {
  return {
    observers: {
      create: c.observers.create.map(observerData),
      update: c.observers.update.map((u) => ({from: observerData(u.from), to: observerData(u.to)})),
      delete: c.observers.delete.map(observerData),
    },
    obstacles: {create: c.obstacles.create.map(positionData), delete: c.obstacles.delete.map(positionData)},
  }
}

function operationData(op: Operation): Json {
  const head = {id: op.id, phase: op.phase, kind: op.kind, map: op.map, reason: op.reason, dependsOn: [...op.dependsOn]}
  switch (op.kind) {
    case 'createMap':
      return {...head, body: sizedBody(op.body)}
    case 'updateMap':
      return {...head, body: sizedBody(op.body), from: sizeData(op.from), ...(op.renamedFrom === undefined ? {} : {renamedFrom: op.renamedFrom})}
    case 'deleteMap':
      return head
    case 'createObserver':
    case 'deleteObserver':
      return {...head, observer: observerData(op.observer)}
    case 'updateObserver':
      return {...head, observer: observerData(op.observer), from: observerData(op.from)}
    case 'createObstacle':
    case 'deleteObstacle':
      return {...head, position: positionData(op.position)}
  }
}

function countsData(c: Record<OpOutcome, number>): Record<OpOutcome, number> {
  return {applied: c.applied, reconciled: c.reconciled, unconfirmed: c.unconfirmed, failed: c.failed, skipped: c.skipped}
}

function resultData(r: OpResult): Json {
  return {
    id: r.op.id,
    kind: r.op.kind,
    map: r.op.map,
    outcome: r.outcome,
    ...(r.detail === undefined ? {} : {detail: r.detail}),
    ...(r.status === undefined ? {} : {status: r.status}),
    durationMs: r.durationMs,
  }
}

function observerData(o: Observer): Json {
  return {name: o.name, x: o.x, y: o.y, vision: o.vision}
}

function positionData(p: Position): Json {
  return {x: p.x, y: p.y}
}

function sizeData(s: {width: number; height: number}): Json {
  return {width: s.width, height: s.height}
}

function sizedBody(b: {name: string; width: number; height: number}): Json {
  return {name: b.name, width: b.width, height: b.height}
}
