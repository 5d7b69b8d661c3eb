/**
 * What the server's slug rule does with a name before it replaces the rest by dashes:
 * accents dropped (NFKD, then combining marks removed), lower case, and the Latin letters
 * that do not decompose spelled out (ß -> ss, ø -> o). Shared by the sandbox, which
 * makes slugs, and by the map file checks, which only compare names (a client never
 * builds a URL from a name).
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

/**
 * The name's characters after the rule's first steps, each as ASCII where the rule's
 * spelling is known here, or else as `other(ch)`.
 */
export function foldName(name: string, other: (ch: string) => string): string {
  const bare = name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()
  return Array.from(bare, (ch) => (ch.charCodeAt(0) < 0x80 ? ch : (LATIN_SPELLINGS[ch] ?? other(ch)))).join('')
}

/** Every run of ASCII characters other than a-z and 0-9 as one `-`, none at either end. */
export function dashRuns(text: string): string {
  return text.replace(/[\u0000-\u002f\u003a-\u0060\u007b-\u007f]+/g, '-').replace(/^-+|-+$/g, '')
}
