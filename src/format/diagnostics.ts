/** One problem in a map file, at a place a person can jump to in an editor. */
export interface Diagnostic {
  file: string
  /** 1-based line number. */
  line: number
  /** 1-based column, counted in code points (an emoji is one column). */
  column: number
  message: string
}

/** Where a diagnostic points: `path:line:column`. */
export function diagnosticLocation(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}`
}

/** The conventional one-line form, `path:line:column: message`. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${diagnosticLocation(d)}: ${d.message}`
}

/** Orders diagnostics top to bottom, left to right; stable for equal positions. */
export function byPosition(a: Diagnostic, b: Diagnostic): number {
  return a.line - b.line || a.column - b.column
}
