/**
 * The order in which maps and files are listed: natural, so that "Map 2" comes before
 * "Map 10" and case and accents do not scatter similar names. Names that compare equal
 * that way ("map" and "Map", "7" and "07") are ordered by their UTF-16 code units, so
 * the order never depends on the input's order or the machine's locale.
 */
const NATURAL = new Intl.Collator('en', {numeric: true, sensitivity: 'base'})

export function compareNatural(a: string, b: string): number {
  return NATURAL.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0)
}
