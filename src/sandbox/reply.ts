import {renderJson} from './json.js'

/** An answer, built in full before it is sent (or, for a dropped write, not sent). */
export interface Reply {
  status: number
  headers: Record<string, string>
  body: string
}

export const JSON_TYPE = 'application/json'
export const MASON_TYPE = 'application/vnd.mason+json'
const HTML_TYPE = 'text/html; charset=utf-8'

export const DATABASE_LOCKED = 'database is locked'

/** A refusal from a handler or the store, turned into its reply by `errorReply`. */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 415 | 500,
    message: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export function jsonReply(status: number, doc: unknown, contentType = JSON_TYPE): Reply {
  return {status, headers: {'Content-Type': contentType}, body: renderJson(doc)}
}

/** 201 and 204: an empty text/html body, and for 201 the relative Location. */
export function emptyReply(status: 201 | 204, location?: string): Reply {
  const headers: Record<string, string> = {'Content-Type': HTML_TYPE}
  if (location !== undefined) headers.Location = location
  return {status, headers, body: ''}
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
}

export function htmlReply(status: number, title: string, text: string, headers: Record<string, string> = {}): Reply {
  const body = `<!doctype html>\n<html lang="en">\n<title>${title}</title>\n<h1>${title}</h1>\n<p>${text}</p>\n`
  return {status, headers: {'Content-Type': HTML_TYPE, ...headers}, body}
}

/** 404 is an HTML page, not JSON, as on the reference server. */
export function notFoundReply(path: string): Reply {
  return htmlReply(404, '404 Not Found', `There is nothing at ${escapeHtml(path)} on this server.`)
}

export function redirectReply(location: string): Reply {
  const link = escapeHtml(location)
  return htmlReply(308, '308 Permanent Redirect', `This resource lives at <a href="${link}">${link}</a>.`, {Location: location})
}

export function messageReply(status: number, message: string): Reply {
  return jsonReply(status, {message})
}

export function methodNotAllowedReply(method: string, allowed: readonly string[]): Reply {
  const reply = messageReply(405, `Method ${method} is not allowed here; allowed: ${allowed.join(', ')}.`)
  reply.headers.Allow = allowed.join(', ')
  return reply
}

export function optionsReply(allowed: readonly string[]): Reply {
  return {status: 200, headers: {'Content-Type': HTML_TYPE, Allow: allowed.join(', ')}, body: ''}
}

/** The same answer with its body replaced by an HTML page (as a proxy in the way might send): not JSON. */
export function garbledReply(reply: Reply): Reply {
  const page = htmlReply(reply.status, 'Service busy', 'This page stands in for the answer: the service behind it is busy.')
  return {status: reply.status, headers: {...reply.headers, 'Content-Type': page.headers['Content-Type']!}, body: page.body}
}

export function errorReply(err: ApiError, path: string): Reply {
  return err.status === 404 ? notFoundReply(path) : messageReply(err.status, err.message)
}
