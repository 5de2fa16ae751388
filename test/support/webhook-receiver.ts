import http from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request the receiver got. */
export type Received = { headers: Record<string, string>; body: string; at: number }
/** How to answer a request: status, headers (text/plain when none are given) and body; `hang` never answers (for timeouts). */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang'

/**
 * A local webhook consumer for tests: records every request and answers as `answer` says
 * (200 "ok" unless told otherwise).
 */
export class WebhookReceiver {
  readonly received: Received[] = []
  answer: (r: Received) => Answer = () => ({ status: 200, body: 'ok' })
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const r: Received = { headers: req.headers as Record<string, string>, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() }
      this.received.push(r)
      const a = this.answer(r)
      if (a === 'hang') return
      res.writeHead(a.status, a.headers ?? { 'content-type': 'text/plain; charset=utf-8' }).end(a.body ?? '')
    })
  })

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
