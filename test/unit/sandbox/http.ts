import type {Sandbox} from '../../../src/sandbox/index.js'

export interface Answer {
  status: number
  headers: Headers
  text: string
  json(): any
}

/**
 * One request to the sandbox with plain fetch, redirects not followed. A string body is
 * sent as is (set its content type in `headers`); anything else is sent as JSON.
 */
export async function call(sandbox: Sandbox, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const init: RequestInit = {method, headers: {...headers}, redirect: 'manual'}
  if (typeof body === 'string') init.body = body
  else if (body !== undefined) {
    init.body = JSON.stringify(body)
    init.headers = {'Content-Type': 'application/json', ...headers}
  }
  const res = await fetch(`${sandbox.url}${path}`, init)
  const text = await res.text()
  return {status: res.status, headers: res.headers, text, json: () => JSON.parse(text)}
}
