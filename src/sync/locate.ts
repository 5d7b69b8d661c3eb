/**
 * Finding the URL of a map the API named no URL for: a map renamed (a PUT answers 204
 * without a Location) or created by a request whose answer was lost. The listing gives
 * URLs, but may be as old as the server's cache time. The server's slug rule, where a
 * client can tell it (format/slug-key.ts), gives a URL to try: only an answer there with
 * the very name counts (a 200 with the name proves the URL is that map's); a 404 or another
 * name proves nothing, since the rule as known here may differ from the server's.
 */
import {HttpError} from '../api/errors.js'
import {knownSlug} from '../format/slug-key.js'
import type {RemoteMap, RemoteMapSummary} from '../model/types.js'

export interface LocateClient {
  listMaps(): Promise<RemoteMapSummary[]>
  getMap(url: string): Promise<RemoteMap>
  /** The URL of a map by its slug. */
  mapUrl?(slug: string): string
}

/** The map named `name`, read at the URL its slug would give; undefined where that proves nothing. */
export async function probeMap(client: Pick<LocateClient, 'getMap' | 'mapUrl'>, name: string): Promise<RemoteMap | undefined> {
  const slug = knownSlug(name)
  if (slug === undefined || slug === '' || !client.mapUrl) return undefined
  try {
    const map = await client.getMap(client.mapUrl(slug))
    return map.name === name ? map : undefined
  } catch (error) {
    if (error instanceof HttpError) return undefined
    throw error
  }
}

/** The URL of the map named `name`: from the listing, else from a probe; undefined when neither shows it. */
export async function locateMap(client: LocateClient, name: string): Promise<string | undefined> {
  const listed = (await client.listMaps()).find((m) => m.name === name)
  return listed?.url ?? (await probeMap(client, name))?.url
}
