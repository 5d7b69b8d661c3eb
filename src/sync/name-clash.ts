/**
 * A create the server refused with 409 although its listing shows no map of that name:
 * another map's name gives the same address (slug). That is a failure to report in the
 * server's own words, the same on every run, never a lost answer to try again.
 */
import {knownSlug, slugKey} from '../format/slug-key.js'
import type {RemoteMapSummary} from '../model/types.js'

/** The listed map whose name gives the same address as `name`, when it can be told here. */
export function sameAddressAs(name: string, listing: readonly RemoteMapSummary[]): RemoteMapSummary | undefined {
  const key = slugKey(name)
  const slug = knownSlug(name)
  return listing.find((m) => m.name !== name && (slugKey(m.name) === key || (slug !== undefined && m.slug === slug)))
}

/** The detail of a failed create of map `name`: the server's answer, and the map it clashes with. */
export function mapClashDetail(name: string, serverAnswer: string, listing: readonly RemoteMapSummary[]): string {
  const other = sameAddressAs(name, listing)
  const why = other
    ? `the server already has the map "${other.name}", whose name gives the same address ("${other.slug}")`
    : "its listing shows no map of this name: another map's name gives the same address on the server (how the server spells some letters cannot be told here)"
  return `the server refused the name: ${serverAnswer}; ${why}; rename this map (or that one)`
}
