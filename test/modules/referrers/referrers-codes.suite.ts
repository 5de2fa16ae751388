import { randomBytes } from 'node:crypto'
import t from 'tap'
import { CrmError } from '../../../src/errors.js'
import { PiiCipher } from '../../../src/lib/pii.js'
import { systemActor } from '../../../src/modules/auth/actor.js'
import { ReferrersService, type Draw } from '../../../src/modules/referrers/referrers.service.js'
import { forEachDatabase } from '../../helper.js'

/** Draws that replay `script` (one value per character), then repeat its last value. */
const scripted = (script: number[]): Draw => {
  let i = 0
  return () => script[Math.min(i++, script.length - 1)]
}

await forEachDatabase(t, async (t, ctx) => {
  const deps = { db: ctx.app.db, raw: ctx.app.database.raw, pii: new PiiCipher(randomBytes(32)), config: ctx.app.config }
  await ctx.app.services.referrers.create(systemActor, { kind: 'other', name: 'Holder', code: 'aaaaaaaa' })

  await t.test('draws a new code when the generated one is taken, in the same action', async (t) => {
    const service = new ReferrersService(deps, scripted([0, 0, 0, 0, 0, 0, 0, 0, 1]))
    const r = await service.create(systemActor, { kind: 'other', name: 'Second draw' })
    t.equal(r.code, 'BBBBBBBB')
    const audit = await ctx.sql<{ n: number }>("select count(*)::int as n from audit_entries where entity_id = $1 and action = 'referrer.created'", [r.id])
    t.equal(audit[0].n, 1)
  })

  await t.test('gives up with a CONFLICT on code after repeated clashes, writing nothing', async (t) => {
    const service = new ReferrersService(deps, scripted([0]))
    const err = await service.create(systemActor, { kind: 'other', name: 'Unlucky' }).catch((e: unknown) => e)
    t.ok(err instanceof CrmError)
    t.match(err, { code: 'CRM_ERR_CONFLICT', fieldErrors: [{ field: 'code', code: 'TAKEN' }] })
    const rows = await ctx.sql<{ n: number }>("select count(*)::int as n from referrers where name = 'Unlucky'")
    t.equal(rows[0].n, 0)
  })
})
