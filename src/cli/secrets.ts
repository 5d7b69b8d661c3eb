/**
 * The secrets a run is given (the bearer token, the values of extra headers) are never
 * printed by gridsync; and should a server echo one back (in an error message, a name,
 * a Location), it is blanked out of everything the command prints, text and JSON alike.
 */
import {proxyCredentials} from '../api/proxy.js'

/** The secrets among parsed flags (or, before they are parsed, the environment). */
export function secretsOf(flags: Readonly<Record<string, unknown>> | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = []
  if (typeof flags?.token === 'string') out.push(flags.token)
  if (env.GRIDSYNC_TOKEN) out.push(env.GRIDSYNC_TOKEN)
  if (Array.isArray(flags?.header)) {
    for (const line of flags.header) {
      if (typeof line !== 'string') continue
      const colon = line.indexOf(':')
      out.push((colon >= 0 ? line.slice(colon + 1) : line).trim())
    }
  }
  // A proxy's password (in HTTPS_PROXY and the like) is as secret as the token.
  out.push(...proxyCredentials(env))
  return out
}
