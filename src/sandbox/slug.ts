/**
 * Slugs as the sandbox makes them from names: ASCII, lowercase, every run of other
 * characters one `-`, no `-` at either end. "Fancy Map!!" -> "fancy-map",
 * "Täällä" -> "taalla".
 *
 * Accented Latin letters lose their accents (NFKD, then combining marks dropped); a few
 * Latin letters that do not decompose get their usual spelling (ß -> ss, ø -> o).
 * Letters and digits of other scripts become `u` + their hex code point ("北" -> "u5317"),
 * so such names stay distinct and reachable. The reference server spells those scripts
 * phonetically instead: the slugs differ, which a client never notices because it takes
 * slugs from the server. A name with no letter or digit gets the empty slug.
 */
import {dashRuns, foldName} from '../model/slug-rule.js'

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u

function spellOther(ch: string): string {
  return LETTER_OR_DIGIT.test(ch) ? ` u${ch.codePointAt(0)!.toString(16)} ` : ' '
}

export function slugify(name: string): string {
  return dashRuns(foldName(name, spellOther))
}
