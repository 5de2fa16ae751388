import type { TestApp } from '../../helper.js'

export type AccessRow = { action: string; entity_type: string; entity_ids: string[]; row_count: number; fields: string[]; actor_role: string | null; request_id: string | null; filter: unknown }

/** Access entries written since `mark` (an access entry id, or null for all), oldest first. */
export async function accessSince(ctx: TestApp, mark: string | null): Promise<AccessRow[]> {
  return ctx.sql<AccessRow>(
    `select action, entity_type, entity_ids::text[] as entity_ids, row_count, fields, actor_role, request_id, filter
     from access_entries where ($1::uuid is null or id > $1::uuid) order by id`, [mark])
}

/** The newest access entry's id: later reads write entries after it. */
export async function accessMark(ctx: TestApp): Promise<string | null> {
  const [row] = await ctx.sql<{ id: string }>('select id::text from access_entries order by id desc limit 1')
  return row?.id ?? null
}

let n = 0
/** A customer with a unique phone and email; its id and phone. */
export async function customerWithPhone(ctx: TestApp, extra: Record<string, unknown> = {}): Promise<{ id: string; phone: string }> {
  n++
  const phone = `139${String(Date.now() % 10_000_000).padStart(7, '0').slice(-4)}${String(n).padStart(4, '0')}`
  const r = await ctx.rest(ctx.adminToken, 'POST', '/api/v1/customers', { name: `Audit ${n}`, phone, email: `audit${n}.${Date.now()}@example.com`, allowDuplicate: true, ...extra })
  if (r.statusCode !== 201) throw new Error(`customer: ${r.body}`)
  return { id: r.json().id, phone }
}
