/** What a secret is replaced with in the log. */
export const REDACTED = '[redacted]'

/**
 * Secrets shorter than this are only replaced where a whole value equals them: looking
 * for a one-character header value inside every line would mangle them all.
 */
export const MIN_SEARCHED_SECRET_LENGTH = 4

/**
 * The token and header values are never printed: every string that reaches the output
 * or the log has them replaced by REDACTED, even when the server echoed one back.
 */
export class Redactor {
  /** Longest first, so a secret that contains another is replaced whole. */
  private secrets: string[] = []

  constructor(secrets: Iterable<string | undefined> = []) {
    for (const secret of secrets) this.add(secret)
  }

  add(secret: string | undefined): void {
    if (secret === undefined || secret === '' || this.secrets.includes(secret)) return
    this.secrets = [...this.secrets, secret].sort((a, b) => b.length - a.length)
  }

  /** The text with every registered secret in it replaced. */
  text(value: string): string {
    let out = value
    for (const secret of this.secrets) {
      if (out === secret) return REDACTED
      if (secret.length >= MIN_SEARCHED_SECRET_LENGTH) out = out.split(secret).join(REDACTED)
    }

    return out
  }

  /** A copy of a JSON-like value with every string in it (keys included) redacted. */
  value<T>(value: T): T {
    if (this.secrets.length === 0) return value
    return this.walk(value) as T
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value)
    if (Array.isArray(value)) return value.map((v) => this.walk(v))
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.text(k), this.walk(v)]))
    }

    return value
  }
}
