/**
 * The baseline: plain Fastify over `pg` (or the PGlite handle), no auth, no GraphQL, no
 * ORM. Each route is ONE prepared statement, as a hand-written service would do it, and
 * answers the same data as the GraphQL workloads (PII decrypted with the same cipher).
 *
 * Standalone: `DATABASE_URL=… PII_KEY=… npx tsx test/bench/plain-server.ts` (port 3100).
 */
import { pathToFileURL } from 'node:url'
import Fastify, { type FastifyInstance } from 'fastify'
import pg from 'pg'
import { PiiCipher } from '../../src/lib/pii.js'

/** Runs a statement; `name` makes it a named prepared statement where the driver supports it. */
export type QueryFn = (name: string, text: string, values: unknown[]) => Promise<Record<string, unknown>[]>

/** Which relations the nested page reads: the same ones the GraphQL query selects. */
export type PageShape = { referrer: boolean; activities: number }

export const customerSql = `select c.id, c.name, c.phone_enc, c.email_enc, c.company, u.id as owner_id
  from customers c left join users u on u.id = c.owner_id
  where c.id = $1 and c.deleted_at is null`

/** 50 newest customers with owner, referrer and latest activities: one statement, lateral joins + json_agg. */
export function pageSql(shape: PageShape): string {
  const referrer = shape.referrer
    ? `case when r.id is null then null else json_build_object('id', r.id, 'name', r.name) end as referrer,`
    : ''
  const referrerJoin = shape.referrer ? 'left join referrers r on r.id = c.referrer_id and r.deleted_at is null' : ''
  const activities = shape.activities > 0 ? 'coalesce(a.list, \'[]\'::json) as activities,' : ''
  const activitiesJoin = shape.activities > 0
    ? `left join lateral (
         select json_agg(json_build_object('id', x.id, 'kind', x.kind, 'occurredAt', x.occurred_at) order by x.occurred_at desc, x.id desc) as list
         from (select id, kind, occurred_at from activities
               where customer_id = c.id and deleted_at is null
               order by occurred_at desc, id desc limit ${shape.activities}) x
       ) a on true`
    : ''
  return `select c.id, c.name,
      case when u.id is null then null else json_build_object('id', u.id, 'name', u.name) end as owner,
      ${referrer} ${activities} c.created_at
    from customers c
    left join users u on u.id = c.owner_id
    ${referrerJoin}
    ${activitiesJoin}
    where c.deleted_at is null
    order by c.created_at desc, c.id desc
    limit $1`
}

export function buildPlainServer(query: QueryFn, pii: PiiCipher, shape: PageShape): FastifyInstance {
  const app = Fastify({ logger: false })
  const page = pageSql(shape)

  app.get<{ Params: { id: string } }>('/customer/:id', async (request, reply) => {
    const [row] = await query('bench_customer_by_id', customerSql, [request.params.id])
    if (!row) return reply.code(404).send({ error: 'not found' })
    return {
      id: row.id,
      name: row.name,
      phone: row.phone_enc ? pii.open(row.phone_enc as string) : null,
      email: row.email_enc ? pii.open(row.email_enc as string) : null,
      company: row.company,
      owner: row.owner_id ? { id: row.owner_id } : null
    }
  })

  app.get('/page', async () => {
    const rows = await query('bench_customer_page', page, [50])
    return { customers: rows.map(({ created_at: _c, ...rest }) => rest) }
  })
  return app
}

/** A `pg` pool as a QueryFn: named statements are prepared once per connection. */
export function pgQuery(pool: pg.Pool): QueryFn {
  return async (name, text, values) => (await pool.query({ name, text, values })).rows
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DATABASE_POOL_SIZE ?? 10) })
  const app = buildPlainServer(pgQuery(pool), new PiiCipher(Buffer.from(process.env.PII_KEY ?? '', 'base64')), { referrer: true, activities: 5 })
  await app.listen({ port: Number(process.env.PORT ?? 3100), host: '127.0.0.1' })
  console.log(`plain server on ${JSON.stringify(app.addresses()[0])}`)
}
