/**
 * A small forward proxy on 127.0.0.1 for tests: CONNECT tunnels (what HTTPS, and
 * gridsync's plain HTTP, go through) and absolute-form requests, each counted. It only
 * ever connects to loopback addresses, and can demand Basic credentials (407 without).
 */
import {createServer, request, type IncomingMessage} from 'node:http'
import {connect, type Socket} from 'node:net'
import type {Duplex} from 'node:stream'

export interface TestProxy {
  /** http://127.0.0.1:<port>, without credentials. */
  url: string
  port: number
  /** The `host:port` of every tunnel opened, in order. */
  readonly tunnels: string[]
  /** The URL of every absolute-form request forwarded. */
  readonly forwarded: string[]
  /** Requests refused for missing or wrong credentials. */
  readonly refused: number
  close(): Promise<void>
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/

export async function startProxy(options: {credentials?: string} = {}): Promise<TestProxy> {
  const tunnels: string[] = []
  const forwarded: string[] = []
  const sockets = new Set<Duplex>()
  let refused = 0
  const expected = options.credentials === undefined ? undefined : `Basic ${Buffer.from(options.credentials).toString('base64')}`
  const allowed = (req: IncomingMessage): boolean => {
    if (expected === undefined || req.headers['proxy-authorization'] === expected) return true
    refused++
    return false
  }

  const track = (socket: Duplex): void => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
  }

  const server = createServer((req, res) => {
    if (!allowed(req)) {
      res.writeHead(407, {'proxy-authenticate': 'Basic realm="test"'}).end()
      return
    }
    const target = new URL(req.url ?? '')
    if (target.protocol !== 'http:' || !LOOPBACK.test(target.hostname)) {
      res.writeHead(403).end()
      return
    }
    forwarded.push(target.href)
    const upstream = request(target, {method: req.method, headers: req.headers}, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => res.destroy())
    req.pipe(upstream)
  })

  server.on('connection', track)
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    track(client)
    if (!allowed(req)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n')
      return
    }
    const [host = '', port = ''] = (req.url ?? '').split(/:(?=\d+$)/)
    if (!LOOPBACK.test(host)) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n')
      return
    }
    tunnels.push(`${host}:${port}`)
    const upstream = connect(Number(port), host.replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      if (head.length > 0) upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    track(upstream)
    upstream.on('close', () => client.destroy())
    client.on('close', () => upstream.destroy())
  })

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port')
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    tunnels,
    forwarded,
    get refused() {
      return refused
    },
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
