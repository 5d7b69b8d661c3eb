/**
 * The URLs of one Gridmap server. Resource URLs are built only from slugs the server
 * gave and from its Location headers, and every URL must stay on the configured server.
 */
import {ApiOptionError} from './errors.js'

export class ServerUrl {
  /** Scheme, host and port, e.g. "https://maps.example:8443". */
  readonly origin: string
  /** The path prefix without a trailing slash: "" or e.g. "/gridmap". */
  readonly basePath: string

  constructor(server: string) {
    const guess = withScheme(server)
    if (guess !== undefined) throw new ApiOptionError(`the server URL "${server}" needs http:// or https:// in front: did you mean ${guess}?`)
    let url: URL
    try {
      url = new URL(server)
    } catch {
      throw new ApiOptionError(`the server URL "${server}" is not a valid URL (expected e.g. http://127.0.0.1:5000)`)
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ApiOptionError(`the server URL must start with http:// or https://, not ${url.protocol}//`)
    }
    // Credentials in the URL would end up in messages and logs: a token is the way to authenticate.
    if (url.username || url.password) throw new ApiOptionError('the server URL must not contain a user name or password')
    if (url.search || url.hash) throw new ApiOptionError('the server URL must not contain a query or a fragment')
    this.origin = url.origin
    this.basePath = url.pathname.replace(/\/+$/, '')
  }

  /** The base URL, without a trailing slash. */
  get base(): string {
    return this.origin + this.basePath
  }

  /** The URL of an API path (starting with "/") on this server. */
  url(path: string): string {
    return this.base + path
  }

  /** True when the URL lies on this server, under its path prefix. */
  owns(url: string): boolean {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      return false
    }
    return parsed.origin === this.origin && (this.basePath === '' || parsed.pathname.startsWith(`${this.basePath}/`))
  }

  /** True when a URL (relative ones resolved against `base`) is on this server's origin. */
  sameOrigin(url: string | URL, base?: string): boolean {
    try {
      return new URL(url, base).origin === this.origin
    } catch {
      return false
    }
  }

  /**
   * The absolute URL a Location header names, or a description of what is wrong with it.
   * A path-relative Location is resolved against the request URL. An absolute path is
   * taken as the server's own path: behind a path prefix the server may not know of,
   * it is joined onto the prefix.
   */
  resolveLocation(location: string, requestUrl: string): {url: string} | {problem: string} {
    let resolved: URL
    try {
      resolved = new URL(location, requestUrl)
    } catch {
      return {problem: `the Location header "${location}" is not a valid URL`}
    }
    if (!this.sameOrigin(resolved)) {
      return {problem: `the Location header "${location}" points to another server than ${this.origin}`}
    }
    const pathRelative = !/^[a-z][a-z0-9+.-]*:|^\//i.test(location)
    const path = pathRelative || this.basePath === '' || resolved.pathname.startsWith(`${this.basePath}/`) ? resolved.pathname : this.basePath + resolved.pathname
    return {url: this.origin + path}
  }
}

/** A URL below a resource URL: under("http://h/api/maps/a/", "observers", "b") is "http://h/api/maps/a/observers/b/". */
export function under(url: string, ...segments: string[]): string {
  const base = url.endsWith('/') ? url : `${url}/`
  return `${base}${segments.map((s) => `${s}/`).join('')}`
}

/**
 * For a server given without a scheme ("localhost:18181", "maps.example.org/gridmap"),
 * the URL it most likely means: http:// for this machine, https:// for any other host.
 * Undefined when the text has a scheme, or would not be a URL even with one.
 */
function withScheme(server: string): string | undefined {
  if (/^[a-z][a-z\d+.-]*:\/\//i.test(server)) return undefined
  let url: URL
  try {
    url = new URL(`http://${server}`)
  } catch {
    return undefined
  }
  if (url.hostname === '' || /\s/.test(server) || !/^[\w[]/.test(server)) return undefined
  const local = url.hostname === 'localhost' || url.hostname === '[::1]' || url.hostname.startsWith('127.')
  return `${local ? 'http' : 'https'}://${server}`
}
