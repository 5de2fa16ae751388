import { Readable } from 'node:stream'
import t from 'tap'
import fc from 'fast-check'
import { toCrmError } from '../../../src/http/problem.js'
import { systemActor } from '../../../src/modules/auth/actor.js'
import { forEachDatabase } from '../../helper.js'

const omit = Symbol('omit')
// Each field: values a single write accepts and values it refuses, or the field left out.
const field = <T>(...values: T[]) => fc.constantFrom<T | typeof omit>(omit, ...values)
const record = fc.record({
  name: field('张三', 'x'.repeat(201), '', 'Plain'),
  phone: field('13812345678', '+86 139-1234-5678', '12345', null),
  email: field('A@Example.COM', 'not-an-email', null),
  gender: field('female', 'robot'),
  birthday: field('1990-01-31', '1990-02-30', '1990-13-01', null),
  tags: field([], ['vip'], ['a', 'a']),
  attributes: field({}, { erp: 1 }),
  tier: field('A', 'Z', null),
  favourite: field('red')
})
type Generated = { [K in keyof typeof record extends fc.Arbitrary<infer R> ? keyof R : never]: unknown }

const clean = (r: Generated) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== omit))
const STORED = 'name, gender, birthday, phone_idx, phone_masked, email_idx, email_masked, tags, attributes, tier'

await forEachDatabase(t, async (t, ctx) => {
  // Validation alike: repeated phones are the duplicate policy's business (import-duplicates.suite.ts), allowed on both sides here.
  await t.test('an import accepts exactly the rows the single write accepts, and stores them the same', async (t) => {
    let run = 0
    await fc.assert(fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 5 }), async (records) => {
      run++
      const inputs = records.map(clean)
      const body = inputs.map((input, i) => JSON.stringify({ ...input, externalId: `P${run}-${i}` })).join('\n')
      const report = await ctx.app.services.bulk.importStream(systemActor, 'customers', Readable.from([body]), { format: 'ndjson', encoding: 'utf-8', allowDuplicate: true })
      const refused = new Set(report.errors.map((e) => e.row - 1))
      for (const [i, input] of inputs.entries()) {
        let single = true
        try {
          await ctx.app.services.customers.upsertByExternalId(systemActor, `Q${run}-${i}`, { ...input, allowDuplicate: true })
        } catch (err) {
          // As a client would hear it: a value only the database refuses is a 400 too.
          if (toCrmError(err).status >= 500) throw err
          single = false
        }
        if (single === refused.has(i)) throw new Error(`row ${i} ${JSON.stringify(input)}: single write ${single ? 'accepts' : 'refuses'} it, the import ${refused.has(i) ? 'refuses' : 'accepts'} it`)
        if (!single) continue
        const [a] = await ctx.sql(`select ${STORED} from customers where external_id = $1`, [`P${run}-${i}`])
        const [b] = await ctx.sql(`select ${STORED} from customers where external_id = $1`, [`Q${run}-${i}`])
        t.same(a, b, `row ${i} stored alike`)
      }
    }), { numRuns: 12 })
  })
})
