import type { TestApp } from '../../helper.js'

/** POSTs an import body as the given token; the report (or problem) and the status. */
export async function importBody(ctx: TestApp, token: string, entity: string, body: string | Buffer, contentType = 'text/csv', query = '') {
  const res = await ctx.app.inject({
    method: 'POST', url: `/api/v1/import/${entity}${query}`, payload: body,
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType }
  })
  return { status: res.statusCode, body: res.json() }
}

/** GET /api/v1/export/... as NDJSON lines. */
export async function exportLines(ctx: TestApp, token: string, path: string) {
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/export/${path}`, headers: { authorization: `Bearer ${token}` } })
  const lines = res.statusCode === 200 ? res.body.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)) : []
  return { status: res.statusCode, type: res.headers['content-type'], lines, body: res.body }
}

export const csv = (rows: string[][]) => rows.map((r) => r.map((c) => /[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c).join(',')).join('\n') + '\n'
