/**
 * Whether two names give the same address (slug) on the server, as far as a client can
 * tell without asking it. The server's rule: transliterate to ASCII, lowercase, every
 * run of other characters one `-`, trimmed. Here only the part of it that is certain is
 * applied: accents and case, the usual Latin spellings, ASCII punctuation and spaces.
 * A character whose ASCII spelling only the server knows (北, Ω, an emoji) is kept as
 * it is, so names that differ in it never count as clashing here: only the server can
 * tell, and its 409 says so. Never trusted as a URL: a URL tried with it counts only when
 * the server answers there with the very name (sync/locate.ts).
 */
import {dashRuns, foldName} from '../model/slug-rule.js'

/** A key equal for two names only when the server certainly gives them the same slug. */
export function slugKey(name: string): string {
  return dashRuns(foldName(name, (ch) => ch))
}

/** The slug the server gives `name`, when it can be told here (the key is plain ASCII). */
export function knownSlug(name: string): string | undefined {
  const key = slugKey(name)
  return /^[a-z0-9-]*$/.test(key) ? key : undefined
}
