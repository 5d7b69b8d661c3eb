/**
 * The secrets a run is given (the bearer token, the values of extra headers) are never
 * printed by gridsync; and should a server echo one back (in an error message, a name,
 * a Location), it is blanked out of everything the command prints, text and JSON alike.
 */

/** What stands in for a secret in output. */
export const REDACTED = '[redacted]'

/** Values shorter than this are not taken for secrets (a header "X-Debug: 1" would blank every "1"). */
export const MIN_SECRET_LENGTH = 4

export class Redactor {
  private readonly secrets: string[]

  constructor(values: Iterable<string | undefined>) {
    const unique = new Set<string>()
    for (const v of values) if (v !== undefined && v.length >= MIN_SECRET_LENGTH) unique.add(v)
    // Longest first, so that a secret inside another is not left half shown.
    this.secrets = [...unique].sort((a, b) => b.length - a.length)
  }

  text(s: string): string {
    let out = s
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED)
    return out
  }

  /** A JSON value with every string in it redacted, keys included. */
  value(v: unknown): unknown {
    if (this.secrets.length === 0) return v
    if (typeof v === 'string') return this.text(v)
    if (Array.isArray(v)) return v.map((x) => this.value(x))
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.text(k), this.value(x)]))
    return v
  }
}

/** The secrets among parsed flags (or, before they are parsed, the environment). */
export function secretsOf(flags: Readonly<Record<string, unknown>> | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = []
  if (typeof flags?.token === 'string') out.push(flags.token)
  if (env.GRIDSYNC_TOKEN) out.push(env.GRIDSYNC_TOKEN)
  if (Array.isArray(flags?.header)) {
    for (const line of flags.header) {
      if (typeof line !== 'string') continue
      const colon = line.indexOf(':')
      out.push((colon >= 0 ? line.slice(colon + 1) : line).trim())
    }
  }
  return out
}
