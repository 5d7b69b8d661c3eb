/**
 * JSON text as the reference server writes it: `", "` and `": "` separators, non-ASCII
 * characters escaped as `\uXXXX`, a final newline, and float columns written as floats
 * (vision 6 is sent as `6.0`). JavaScript clients parse all of it to the same values as
 * plain JSON.stringify output; the text is kept faithful for clients in other languages
 * and for tests that look at raw bodies.
 */

/** A number the server stores in a float column. */
export class JsonFloat {
  constructor(readonly value: number) {}
}

function write(value: unknown): string {
  if (value instanceof JsonFloat) {
    const text = JSON.stringify(value.value)
    return /^-?\d+$/.test(text) ? `${text}.0` : text
  }
  if (Array.isArray(value)) return `[${value.map(write).join(', ')}]`
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).map(([key, member]) => `${JSON.stringify(key)}: ${write(member)}`)
    return `{${members.join(', ')}}`
  }
  return JSON.stringify(value)
}

function escapeNonAscii(text: string): string {
  return text.replace(/[\u0080-\uffff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

export function renderJson(value: unknown): string {
  return `${escapeNonAscii(write(value))}\n`
}
