/** The one function gridsync uses of proxy-from-env, which ships no types. */
declare module 'proxy-from-env' {
  /** The proxy URL for `url` by the environment's *_PROXY and NO_PROXY, or '' to go directly. */
  export function getProxyForUrl(url: string | URL): string
}
