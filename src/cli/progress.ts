/**
 * A one-line progress bar on a terminal's stderr; nothing at all in a pipe or a log,
 * so nothing animated ends up in cron mail. Each drawing returns to the start of the
 * line, clears it and stays narrower than the terminal (read at each drawing, so a
 * resized window is followed): a line that wrapped could not be redrawn in place.
 */

/** What the bar needs of its stream: a terminal's stderr, or a stand-in in tests. */
export interface ProgressStream {
  isTTY?: boolean
  columns?: number
  write(text: string): unknown
}

const CLEAR_LINE = '\r\u001B[2K'
const MAX_BAR = 30
/** Narrowest bar worth drawing; below it only the count is shown. */
const MIN_BAR = 5

export class Progress {
  private done = 0
  private lastDraw = -Infinity
  private readonly active: boolean

  constructor(
    private readonly total: number,
    private readonly stream: ProgressStream = process.stderr,
    private readonly now: () => number = Date.now,
  ) {
    this.active = Boolean(stream.isTTY) && total >= 20
  }

  tick(): void {
    this.done++
    if (!this.active) return
    const now = this.now()
    if (now - this.lastDraw < 100 && this.done < this.total) return
    this.lastDraw = now
    this.stream.write(CLEAR_LINE + progressLine(this.done, this.total, this.stream.columns ?? 80))
  }

  end(): void {
    if (this.active) this.stream.write(CLEAR_LINE)
  }
}

/** The bar and count in fewer than `columns` characters: `[####    ] 12/40 operations`, shortened as needed. */
export function progressLine(done: number, total: number, columns: number): string {
  const room = Math.max(0, columns - 1)
  for (const count of [`${done}/${total} operations`, `${done}/${total}`]) {
    const bar = Math.min(MAX_BAR, room - count.length - 3)
    if (bar >= MIN_BAR) {
      const filled = Math.round((done / total) * bar)
      return `[${'#'.repeat(filled)}${' '.repeat(bar - filled)}] ${count}`
    }
  }
  return `${done}/${total}`.slice(0, room)
}
