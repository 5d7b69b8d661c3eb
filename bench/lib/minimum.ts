/**
 * The fewest requests a push can make for a plan, per route, from `gridsync diff --json`:
 *
 *   GET  /apispec_1.json     1                 the API version check
 *   GET  /api/maps/          1                 the listing
 *   GET  /api/maps/<map>/    R + V             R: maps with a valid file that the server
 *                                              lists (their contents are needed to plan);
 *                                              V: maps the plan touches, read back once
 *                                              each to verify them
 *   POST, PUT, DELETE        one per operation of the plan, on its route
 *
 * minimum = 2 + R + operations + V
 */

export interface PlanDoc {
  maps: Array<{name: string; action: string}>
  operations: Array<{kind: string; map: string}>
}

const ROUTE_OF_KIND: Record<string, string> = {
  createMap: 'POST /api/maps/',
  updateMap: 'PUT /api/maps/<map>/',
  deleteMap: 'DELETE /api/maps/<map>/',
  createObserver: 'POST /api/maps/<map>/observers/',
  updateObserver: 'PUT /api/maps/<map>/observers/<observer>/',
  deleteObserver: 'DELETE /api/maps/<map>/observers/<observer>/',
  createObstacle: 'POST /api/maps/<map>/obstacles/',
  deleteObstacle: 'DELETE /api/maps/<map>/obstacles/<x>/<y>/',
}

export interface Minimum {
  total: number
  byRoute: Record<string, number>
  /** Maps read to plan (R). */
  reads: number
  operations: number
  /** Maps read back (V). */
  verifications: number
}

export function minimumRequests(doc: PlanDoc): Minimum {
  const reads = doc.maps.filter((m) => m.action === 'update' || m.action === 'unchanged' || m.action === 'conflict').length
  const verifications = new Set(doc.operations.map((op) => op.map)).size
  const byRoute: Record<string, number> = {'GET /apispec_1.json': 1, 'GET /api/maps/': 1}
  const add = (route: string, n: number): void => {
    if (n > 0) byRoute[route] = (byRoute[route] ?? 0) + n
  }
  add('GET /api/maps/<map>/', reads + verifications)
  for (const op of doc.operations) {
    const route = ROUTE_OF_KIND[op.kind]
    if (!route) throw new Error(`unknown operation kind ${op.kind}`)
    add(route, 1)
  }
  return {total: 2 + reads + doc.operations.length + verifications, byRoute, reads, operations: doc.operations.length, verifications}
}

/** Routes where the counts differ, as "route: sent/minimum". */
export function routeDifferences(sent: Record<string, number>, minimum: Record<string, number>): string[] {
  const routes = new Set([...Object.keys(sent), ...Object.keys(minimum)])
  return [...routes].filter((r) => (sent[r] ?? 0) !== (minimum[r] ?? 0)).map((r) => `${r}: ${sent[r] ?? 0}/${minimum[r] ?? 0}`)
}
