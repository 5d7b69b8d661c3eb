/**
 * A one-line progress bar on a terminal's stderr; nothing at all in a pipe or a log,
 * so nothing animated ends up in cron mail.
 */
export class Progress {
  private done = 0
  private lastDraw = 0
  private readonly active: boolean

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.active = Boolean(stream.isTTY) && total >= 20
  }

  tick(): void {
    this.done++
    if (!this.active) return
    const now = Date.now()
    if (now - this.lastDraw < 100 && this.done < this.total) return
    this.lastDraw = now
    const width = 30
    const filled = Math.round((this.done / this.total) * width)
    this.stream.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${this.done}/${this.total} operations`)
  }

  end(): void {
    if (this.active) this.stream.write('\r\u001B[2K')
  }
}
