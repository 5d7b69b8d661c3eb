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
const LATIN_SPELLINGS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ħ: 'h',
  ı: 'i',
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u

function toAscii(ch: string): string {
  if (ch.charCodeAt(0) < 0x80) return ch
  const spelled = LATIN_SPELLINGS[ch]
  if (spelled !== undefined) return spelled
  return LETTER_OR_DIGIT.test(ch) ? ` u${ch.codePointAt(0)!.toString(16)} ` : ' '
}

export function slugify(name: string): string {
  const bare = name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()
  return Array.from(bare, toAscii)
    .join('')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
}
