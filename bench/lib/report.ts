import type {CaseResult, Results} from '../run.js'

const ms = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '-' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`)
const int = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? '-' : String(Math.round(v)))

function table(head: string[], rows: string[][], right: boolean[] = []): string {
  const align = head.map((_, i) => (right[i] ? '---:' : '---'))
  return [head, align, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n')
}

function requests(c: CaseResult): string {
  const all = c.runs.every((r) => r.extra.length === 0)
  return `${c.requests} / ${c.minimum}${all ? '' : ' (!)'}`
}

/** The results as Markdown: targets first, then every measured case. */
export function renderMarkdown(r: Results): string {
  const m = r.machine
  const out: string[] = []
  out.push(
    `Run ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC (${r.mode}, median of ${r.runs} run${r.runs === 1 ? '' : 's'} per case, ${r.durationS} s in all) ` +
      `at commit ${m.commit} on ${m.cpus} x ${m.cpuModel}, ${m.memoryGb} GB, Node ${m.node}, ${m.os}; ` +
      `load average ${m.loadAverageAtStart} at the start, ${m.loadAverageAtEnd} at the end.`,
    '',
    '### Targets',
    '',
    table(
      ['target', 'met', 'measured'],
      r.verdicts.map((v) => [v.target, v.met ? 'yes' : '**no**', v.figure]),
    ),
    '',
    '### Push against the sandbox',
    '',
    "Wall time of the whole process (start-up included); speed-up over the sequential client on the same case, by wall time and by the time from the first request to the last (start-up and exit left out), cut to one decimal; requests the server received / the plan's minimum; " +
      'requests per second over the whole process, and sustained (over the middle 80% of the requests, as the server saw them arrive); for runs without latency, ' +
      'that sustained rate as a share of what the load generator reached with as many connections just before; CPU time and peak RSS of the client process alone.',
    '',
    table(
      ['workload', 'latency', 'client', 'wall', 'speed-up', 'requests only', 'requests / min', 'req/s', 'sustained req/s', 'of load gen', 'CPU', 'peak RSS'],
      r.cases.map((c) => [
        c.workload,
        `${c.latencyMs} ms`,
        c.client,
        ms(c.median.wallMs),
        c.client === 'sequential' ? '1.0x' : `${cut(c.speedup)}x`,
        c.client === 'sequential' || c.requestSpeedup === undefined ? '' : `${cut(c.requestSpeedup)}x`,
        requests(c),
        int(c.median.rps),
        int(c.median.sustainedRps),
        c.reference ? `${Math.round((c.median.sustainedRps / c.reference) * 100)}% of ${Math.round(c.reference)}` : '',
        ms(c.median.cpuMs),
        `${int(c.median.maxRssMb)} MB`,
      ]),
      [false, true, false, true, true, true, true, true, true, true, true, true],
    ),
  )
  if (r.loadGenerator) {
    const rates = (byConnections: Record<string, number>): string =>
      Object.entries(byConnections)
        .map(([n, rps]) => `${Math.round(rps)} requests/s with ${n} connections`)
        .join(', ')
    const {url, byConnections, gotByConnections} = r.loadGenerator
    out.push('', `Load generator (${url}, kept-alive connections, no latency): ${rates(byConnections)}.`)
    if (gotByConnections) {
      const shares = Object.entries(gotByConnections)
        .map(([n, rps]) => `${Math.floor((rps / (byConnections[n] ?? Number.NaN)) * 100)}% with ${n}`)
        .join(', ')
      out.push(`The same requests through got alone (no retries, nothing else): ${rates(gotByConnections)}, that is ${shares} of the load generator's rate.`)
    }
  }

  const planRow = (id: string, p: Record<string, number>): string[] => [id, ms(p.parseMs), ms(p.decodeMs), ms(p.planMs), ms(p.totalMs), `${int(p.processMaxRssMb)} MB`]
  if (r.planning || r.huge) {
    const rows: string[][] = []
    if (r.planning) rows.push(planRow(r.planning.workload, r.planning.median))
    if (r.huge) rows.push(planRow(r.huge.workload, r.huge.planning.median))
    out.push(
      '',
      '### Local planning and memory',
      '',
      table(['case', 'read + parse files', 'decode answers', 'plan', 'total', 'peak RSS'], rows, [false, true, true, true, true, true]),
    )
  }
  if (r.huge) {
    out.push(
      '',
      `\`gridsync push\` of ${r.huge.workload} (no latency): ${ms(r.huge.push.median.wallMs)} wall, ${ms(r.huge.push.median.cpuMs)} CPU, ` +
        `peak RSS ${int(r.huge.push.median.maxRssMb)} MB, ${Math.max(...r.huge.push.runs.map((x) => x.requests))} / ${r.huge.push.minimum} requests. ` +
        `The same push again right after (in sync, the first one's journal to read): ${ms(r.huge.again.median.wallMs)} wall, ` +
        `${ms(r.huge.again.median.cpuMs)} CPU, peak RSS ${int(r.huge.again.median.maxRssMb)} MB.`,
    )
  }
  if (r.startup) {
    out.push(
      '',
      '### Start-up',
      '',
      table(
        ['command', 'wall (median)', 'CPU (median)', 'runs'],
        Object.entries(r.startup).map(([label, s]) => [label, ms(s.medianMs), ms(s.medianCpuMs), s.runs.join(', ')]),
        [false, true, true, false],
      ),
    )
  }
  out.push(
    '',
    '### Workloads',
    '',
    table(
      ['id', 'what', 'files', 'minimum requests'],
      r.workloads.map((w) => [
        w.id,
        w.description,
        `${w.maps} (${Math.round(w.fileBytes / 1024)} KiB)`,
        `${w.minimum.total} = 2 + ${w.minimum.reads} reads + ${w.minimum.operations} operations + ${w.minimum.verifications} read-backs`,
      ]),
    ),
    '',
  )
  return `${out.join('\n')}\n`
}

/** A ratio cut (not rounded) to one decimal: a near miss never reads as met. */
export function cut(ratio: number | undefined): string {
  return (Math.floor((ratio ?? 0) * 10) / 10).toFixed(1)
}
