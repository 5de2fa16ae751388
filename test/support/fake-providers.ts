import http from 'node:http'
import net, { type AddressInfo } from 'node:net'

/** One HTTP request a fake provider got: method, path with query, headers, body. */
export type ProviderRequest = { method: string; url: string; query: URLSearchParams; headers: Record<string, string>; body: string; json: unknown }
export type ProviderAnswer = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang'

/**
 * A local HTTP provider for tests (WeCom or DingTalk robot, SMS API): records each request
 * and answers as `answer` says (200 `{"errcode":0,"errmsg":"ok"}` unless told otherwise).
 */
export class FakeHttpProvider {
  readonly received: ProviderRequest[] = []
  answer: (r: ProviderRequest) => ProviderAnswer = () => ({ status: 200, body: { errcode: 0, errmsg: 'ok' } })
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      let json: unknown = null
      try { json = JSON.parse(body) } catch { /* not JSON */ }
      const url = req.url ?? '/'
      const r: ProviderRequest = { method: req.method ?? '', url, query: new URL(url, 'http://x').searchParams, headers: req.headers as Record<string, string>, body, json }
      this.received.push(r)
      const a = this.answer(r)
      if (a === 'hang') return
      res.writeHead(a.status, { 'content-type': 'application/json', ...(a.headers ?? {}) }).end(typeof a.body === 'string' ? a.body : JSON.stringify(a.body ?? {}))
    })
  })

  /** Listens on 127.0.0.1; the base URL (`http://127.0.0.1:PORT`). */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

/** One mail a fake SMTP server accepted: envelope and the raw DATA. */
export type ReceivedMail = { helo: string; from: string; to: string[]; data: string; auth: string | null }

/**
 * A tiny SMTP server on net.Server speaking what nodemailer needs: EHLO (with AUTH PLAIN
 * and no STARTTLS), AUTH PLAIN, MAIL, RCPT, DATA (dot-terminated, dot-unstuffed), RSET, NOOP,
 * QUIT. `reject` answers a command with an error reply (e.g. `550 no such user` on RCPT);
 * `hang` never greets (for timeouts).
 */
export class FakeSmtpServer {
  readonly mails: ReceivedMail[] = []
  reject: Partial<Record<'MAIL' | 'RCPT' | 'DATA', string>> = {}
  hang = false
  private sockets = new Set<net.Socket>()
  private server = net.createServer((socket) => {
    this.sockets.add(socket)
    socket.on('close', () => this.sockets.delete(socket))
    socket.on('error', () => {})
    if (this.hang) return
    socket.setEncoding('utf8')
    const say = (line: string) => socket.write(`${line}\r\n`)
    let mail: ReceivedMail = { helo: '', from: '', to: [], data: '', auth: null }
    let inData = false
    let buffer = ''
    say('220 fake.smtp ESMTP ready')
    socket.on('data', (chunk: string) => {
      buffer += chunk
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n')
          if (end < 0) return
          mail.data = buffer.slice(0, end).replace(/^\.\./gm, '.')
          buffer = buffer.slice(end + 5)
          inData = false
          this.mails.push(mail)
          mail = { helo: mail.helo, from: '', to: [], data: '', auth: mail.auth }
          say('250 2.0.0 Ok: queued as FAKE123')
          continue
        }
        const nl = buffer.indexOf('\r\n')
        if (nl < 0) return
        const line = buffer.slice(0, nl)
        buffer = buffer.slice(nl + 2)
        const verb = line.split(' ')[0].toUpperCase()
        if (verb === 'EHLO' || verb === 'HELO') { mail.helo = line.slice(5); socket.write('250-fake.smtp\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n') }
        else if (verb === 'AUTH') { mail.auth = Buffer.from(line.split(' ')[2] ?? '', 'base64').toString('utf8'); say('235 2.7.0 Authentication successful') }
        else if (verb === 'MAIL') { if (this.reject.MAIL) say(this.reject.MAIL); else { mail.from = /<([^>]*)>/.exec(line)?.[1] ?? ''; say('250 2.1.0 Ok') } }
        else if (verb === 'RCPT') { if (this.reject.RCPT) say(this.reject.RCPT); else { mail.to.push(/<([^>]*)>/.exec(line)?.[1] ?? ''); say('250 2.1.5 Ok') } }
        else if (verb === 'DATA') { if (this.reject.DATA) say(this.reject.DATA); else { inData = true; say('354 End data with <CR><LF>.<CR><LF>') } }
        else if (verb === 'RSET' || verb === 'NOOP') say('250 2.0.0 Ok')
        else if (verb === 'QUIT') { say('221 2.0.0 Bye'); socket.end() }
        else say('502 5.5.2 Error: command not recognized')
      }
    })
  })

  /** Listens on 127.0.0.1; the port. */
  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return (this.server.address() as AddressInfo).port
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
