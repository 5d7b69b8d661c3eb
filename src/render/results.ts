import type {ChalkInstance} from 'chalk'

import type {ApplyResult, OpOutcome, OpResult, Verdict, Verification} from '../sync/result-types.js'
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
  'not-applied': {word: 'not applied', meaning: 'the server acknowledged changes that its read-back does not show'},
  incomplete: {word: 'incomplete', meaning: 'some operations on it failed or were skipped'},
  unconfirmed: {
    word: 'unconfirmed',
    meaning: 'the read-back cannot show whether the changes were made (a stale answer, or state taken from recent writes)',
  },
}

/**
 * The read-back verdict: each map that is not confirmed with its differences (at most
 * LIST_LIMIT unless verbose) and advice, then one closing line. Only a run where every checked map is confirmed says the server
 * matches the files.
 */
export function renderVerification(v: Verification, chalk: ChalkInstance, opts: {verbose?: boolean} = {}): string {
  if (v.skipped) return chalk.yellow('Verification skipped (--no-verify): the server was not read back.') + '\n'
  const lines: string[] = []
  const tally = new Map<Exclude<Verdict, 'confirmed'>, number>()
  for (const m of v.maps) {
    if (m.verdict === 'confirmed') continue
    tally.set(m.verdict, (tally.get(m.verdict) ?? 0) + 1)
    const {word, meaning} = VERDICT_TEXT[m.verdict]
    const paint = m.verdict === 'unconfirmed' ? chalk.yellow : chalk.red
    lines.push(`${paint(word)} ${chalk.bold(m.name)}: ${meaning}`)
    lines.push(...limitList(m.differences, opts.verbose, 'differences', chalk.dim).map((d) => INDENT + d))
    if (m.advice) lines.push(`${INDENT}${chalk.dim('advice:')} ${m.advice}`)
  }

  const confirmed = v.maps.length - [...tally.values()].reduce((a, b) => a + b, 0)
  if (v.maps.length === 0) lines.push(chalk.yellow('Nothing verified: no map was read back.'))
  else if (tally.size === 0) lines.push(chalk.green(`Verified: the server matches the files (${count(confirmed, 'map')} checked).`))
  else {
    const order = (['not-applied', 'incomplete', 'unconfirmed'] as const).filter((verdict) => tally.has(verdict))
    const parts = order.map((verdict, i) => {
      const n = tally.get(verdict) ?? 0
      return `${i === 0 ? count(n, 'map') : n} ${VERDICT_TEXT[verdict].word}`
    })
    const rest = confirmed > 0 ? ` (${confirmed} confirmed)` : ''
    const paint = tally.has('unconfirmed') && tally.size === 1 ? chalk.yellow : chalk.red
    lines.push(paint(`Not verified: ${parts.join(', ')}${rest}.`))
  }

  return lines.join('\n') + '\n'
}
