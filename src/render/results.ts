import type {ChalkInstance} from 'chalk'

import type {ApplyResult, OpOutcome, OpResult, Verdict, Verification} from '../sync/result-types.js'
import {clock} from '../sync/clock.js'
import {notKnown} from './text.js'
import {count, describeOp, limitList} from './words.js'

const INDENT = '    '

type Listed = Exclude<OpOutcome, 'applied'>

/** Why an outcome happened, when the result carries no detail of its own. */
const DEFAULT_DETAIL: Record<Listed, string> = {
  failed: 'no reason given',
  skipped: 'an operation it depends on did not succeed',
  reconciled: 'the server already held the intended state',
  unconfirmed: 'the answer was lost; not re-sent, the next run settles it',
}

/**
 * What a push did: failed and skipped operations one per line with their reason,
 * reconciled and unconfirmed ones counted (listed with `verbose`), and a summary line.
 */
export function renderApply(apply: ApplyResult, chalk: ChalkInstance, opts: {verbose?: boolean} = {}): string {
  const paint: Record<Listed, (s: string) => string> = {
    reconciled: chalk.cyan,
    unconfirmed: chalk.yellow,
    failed: chalk.red,
    skipped: chalk.yellow,
  }
  const list = (o: Listed): string[] =>
    limitList(
      apply.results.filter((r) => r.outcome === o).map((r) => resultLine(r, o, paint[o])),
      opts.verbose,
      `${o} operations`,
      chalk.dim,
    )

  const lines = [...list('failed'), ...list('skipped')]
  for (const o of ['reconciled', 'unconfirmed'] as const) {
    const n = apply.counts[o]
    if (n === 0) continue
    if (opts.verbose) lines.push(...list(o))
    else lines.push(`${count(n, 'operation')} ${paint[o](o)}: ${DEFAULT_DETAIL[o]}.`)
  }

  lines.push(applySummary(apply, chalk))
  return lines.join('\n') + '\n'
}

function resultLine(r: OpResult, outcome: Listed, paint: (s: string) => string): string {
  const status = r.status === undefined ? '' : ` (HTTP ${r.status})`
  return `${paint(outcome)} ${r.op.map}: ${describeOp(r.op)}: ${r.detail ?? DEFAULT_DETAIL[outcome]}${status}`
}

function applySummary(apply: ApplyResult, chalk: ChalkInstance): string {
  const c = apply.counts
  if (apply.results.length === 0) return 'No operations to apply.'
  const parts = [`Applied ${count(c.applied, 'operation')}`, `${c.reconciled} reconciled`]
  if (c.unconfirmed > 0) parts.push(`${c.unconfirmed} unconfirmed`)
  parts.push(`${c.failed} failed`, `${c.skipped} skipped`)
  const text = `${parts.join(', ')}.`
  if (c.failed > 0) return chalk.red(text)
  return c.skipped + c.unconfirmed > 0 ? chalk.yellow(text) : chalk.green(text)
}

const VERDICT_TEXT: Record<Exclude<Verdict, 'confirmed'>, {word: string; meaning: string}> = {
  'not-applied': {word: 'not applied', meaning: 'the server acknowledged changes that it does not hold'},
  incomplete: {word: 'incomplete', meaning: 'some operations on it failed or were skipped'},
  unconfirmed: {word: 'unconfirmed', meaning: "not known yet: the server's answers cannot show gridsync's writes to it yet"},
  conflict: {word: 'conflict', meaning: 'changed on the server by someone else since gridsync last knew it; left alone'},
}

/**
 * The verdicts: each map that is not confirmed with why (and until when), its
 * differences (at most LIST_LIMIT unless verbose), then each piece of advice once, then
 * one closing line. Only a run where every map in scope is confirmed says the server
 * matches the files.
 */
export function renderVerification(v: Verification, chalk: ChalkInstance, opts: {verbose?: boolean} = {}): string {
  const lines: string[] = []
  const advice: string[] = []
  for (const m of v.maps) {
    if (m.verdict === 'confirmed') continue
    const {word, meaning} = VERDICT_TEXT[m.verdict]
    const paint = m.verdict === 'unconfirmed' ? chalk.yellow : chalk.red
    const until = m.evidence?.until === undefined ? '' : ` (until ${clock(m.evidence.until)})`
    lines.push(`${paint(word)} ${chalk.bold(m.name)}: ${meaning}${until}`)
    lines.push(...limitList(m.differences, opts.verbose, 'differences', chalk.dim).map((d) => INDENT + d))
    if (m.advice && !advice.includes(m.advice)) advice.push(m.advice)
  }

  for (const a of advice) lines.push(`${chalk.dim('advice:')} ${a}`)
  const open = notKnown(v.maps)
  const confirmed = v.maps.filter((m) => m.verdict === 'confirmed')
  if (v.maps.length === 0) lines.push(chalk.yellow(v.skipped ? 'Verification skipped (--no-verify): nothing was read back.' : 'Nothing verified: no map file in scope.'))
  else if (open.length === 0) lines.push(chalk.green(`Verified: the server matches the files (${count(confirmed.length, 'map')}).`))
  else {
    const rest = confirmed.length > 0 ? ` ${confirmed.length} confirmed;` : ''
    const paint = v.maps.every((m) => m.verdict === 'confirmed' || m.verdict === 'unconfirmed') ? chalk.yellow : chalk.red
    lines.push(paint(`Not verified:${rest} ${open.join('; ')}.`))
  }

  return lines.join('\n') + '\n'
}
