/** The time of day an instant falls on, in UTC, as report lines give it: `14:05:09 UTC`. */
export function clock(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`
}
