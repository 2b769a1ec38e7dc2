// The yardstick: node:http in front of one undici Pool, bodies streamed both ways, every request
// forwarded as is to one upstream. Run: UPSTREAM=http://127.0.0.1:N PORT=M tsx bench/minimal-proxy.ts
import { createServer } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import { pipeline } from 'node:stream'
import { Pool } from 'undici'

const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade'])
const upstream = new Pool(process.env.UPSTREAM ?? 'http://127.0.0.1:8081', { bodyTimeout: 0 })

const strip = (headers: IncomingHttpHeaders, drop?: string) => {
  const out: IncomingHttpHeaders = {}
  for (const name in headers) if (!HOP.has(name) && name !== drop) out[name] = headers[name]
  return out
}

const server = createServer((req, res) => {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
  const request = {
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    headers: strip(req.headers, 'host'),
    body: hasBody ? req : null,
  }
  upstream.request(request, (err, up) => {
    if (err) {
      res.writeHead(502, { 'content-type': 'text/plain' })
      return void res.end('bad gateway')
    }
    res.writeHead(up.statusCode, strip(up.headers))
    pipeline(up.body, res, () => {})
  })
})

server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? '127.0.0.1')
process.on('SIGTERM', () => process.exit(0))
