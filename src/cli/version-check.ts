import type {APIDataSource} from '../api/index.js'

/** The Gridmap API version this gridsync was written for. */
export const EXPECTED_API_VERSION = '1.0.0'

/** Checks the server's API version before anything else, unless explicitly skipped. */
export async function checkServerVersion(client: APIDataSource, skip: boolean, warn: (message: string) => void): Promise<void> {
  if (skip) {
    warn(`The server's API version was NOT checked (--skip-version-check); gridsync expects ${EXPECTED_API_VERSION}.`)
    return
  }

  await client.checkVersion(EXPECTED_API_VERSION)
}
