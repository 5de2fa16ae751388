import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import iconv from 'iconv-lite'
import { importFile } from '../../../src/cli/import-run.js'
import { forEachDatabase } from '../../helper.js'

await forEachDatabase(t, async (t, ctx) => {
  const dir = mkdtempSync(join(tmpdir(), 'crm-import-cli-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const piiKey = Buffer.from(ctx.app.config.PII_KEY!, 'base64')

  await t.test('imports a CSV file through the same service, as the system, readable by the API', async (t) => {
    const file = join(dir, 'customers.csv')
    writeFileSync(file, '\uFEFFexternalId,name,phone\nCLI-1,文件一,13600001111\nCLI-2,,\n')
    const report = await importFile(ctx.app.database, ctx.app.config, { entity: 'customers', file, piiKey })
    t.match(report, { format: 'csv', rows: 2, created: 1, rejected: 1, errors: [{ row: 2, field: 'name' }] })
    const got = await ctx.rest(ctx.adminToken, 'GET', '/api/v1/customers?search=13600001111')
    t.equal(got.json().data[0].phone, '13600001111', 'sealed with the server key')
    const [audit] = await ctx.sql<{ actor_type: string }>(`select actor_type from audit_entries a join customers c on c.id = a.entity_id where c.external_id = 'CLI-1'`)
    t.equal(audit.actor_type, 'system')
  })

  await t.test('takes NDJSON by extension and GBK on request', async (t) => {
    const nd = join(dir, 'refs.ndjson')
    writeFileSync(nd, `${JSON.stringify({ externalId: 'CLI-R1', kind: 'employee', name: 'Staff Ref' })}\n`)
    t.match(await importFile(ctx.app.database, ctx.app.config, { entity: 'referrers', file: nd, piiKey }), { format: 'ndjson', created: 1 })
    const gbk = join(dir, 'gbk.csv')
    writeFileSync(gbk, iconv.encode('externalId,name\nCLI-G,国标码\n', 'gbk'))
    t.match(await importFile(ctx.app.database, ctx.app.config, { entity: 'customers', file: gbk, encoding: 'gbk', piiKey }), { encoding: 'gbk', created: 1 })
    const [row] = await ctx.sql<{ name: string }>(`select name from customers where external_id = 'CLI-G'`)
    t.equal(row.name, '国标码')
  })
})
