import { isDeepStrictEqual } from 'node:util'
import t from 'tap'
import { buildTestApp, databaseKinds, type GqlResult, type TestApp } from '../helper.js'
import { describeProbe, jsonProbes, probeQuery, type KnownIds } from './json-probes.js'

/** A JSON value as a GraphQL literal (object keys here are GraphQL names). */
function literalOf(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(literalOf).join(', ')}]`
  if (value && typeof value === 'object') return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${literalOf(v)}`).join(', ')} }`
  return JSON.stringify(value)
}

const VALUES: unknown[] = [
  { vip: true, level: '金卡', n: 20000, f: 1.5, neg: -3, big: 9007199254740991, none: null, list: [1, '二', null, { x: [] }], nested: { deep: { k: 'v', e: {} } } },
  [1, '二', null, [true]],
  '文本 "quoted" \\ \n',
  {},
  null
]

/** The part of an answer that must not depend on how the JSON was written. */
const answer = (r: GqlResult) => ({ status: r.status, data: r.data, errors: r.errors?.map((e) => ({ message: e.message, code: e.extensions?.code })) })
const internal = (r: GqlResult) => r.status >= 500 || (r.errors ?? []).some((e) => e.extensions?.code === 'INTERNAL')

/** Records each probe can reach: updates find their record, orders their customer. */
async function knownIds(ctx: TestApp): Promise<KnownIds> {
  const make = async (mutation: string, type: string, input: Record<string, unknown>, key: string) => {
    const r = await ctx.gql(ctx.adminToken, `mutation($i: ${type}!) { ${mutation}(input: $i) { ${key} { id } userErrors { field code } } }`, { i: input })
    return r.data[mutation][key].id as string
  }
  return {
    customerId: await make('createCustomer', 'CreateCustomerInput', { name: 'Probe customer' }, 'customer'),
    referrerId: await make('createReferrer', 'CreateReferrerInput', { kind: 'partner', name: 'Probe partner' }, 'referrer'),
    leadId: await make('createLead', 'CreateLeadInput', { source: 'website', name: 'Probe lead' }, 'lead'),
    campaignId: await make('createCampaign', 'CreateCampaignInput', { name: 'Probe campaign' }, 'campaign'),
    incentiveRuleId: await make('createIncentiveRule', 'CreateIncentiveRuleInput',
      { name: 'Probe rule', trigger: 'referral_qualified', calc: 'fixed', rewardType: 'cash', amount: 100 }, 'incentiveRule')
  }
}

/** Whether the answer holds `value` somewhere (jsonb reorders keys, so compared deeply). */
const stored = (data: unknown, value: unknown): boolean => isDeepStrictEqual(data, value) ||
  (typeof data === 'object' && data !== null && Object.values(data).some((d) => stored(d, value)))

for (const kind of databaseKinds) await t.test(kind, async (t) => {
  const ctx = await buildTestApp(t, kind)
  const ids = await knownIds(ctx)
  const probes = jsonProbes()

  t.test('the live schema has JSON inputs to probe', async (t) => {
    t.ok(probes.length >= 10, `${probes.length} JSON places: ${probes.map(describeProbe).join(', ')}`)
  })

  for (const probe of probes) {
    await t.test(`${describeProbe(probe)}: an inline JSON literal answers what the same value as a variable does`, async (t) => {
      let storedSomewhere = false
      const declared = `$j: JSON${probe.nonNull ? '!' : ''}`
      // null where JSON! is required is refused by GraphQL validation either way, in its own words.
      for (const value of VALUES.filter((v) => v !== null || !probe.nonNull)) {
        const inline = probeQuery(probe, literalOf(value), '', ids)
        const asVariable = probeQuery(probe, '$j', declared, ids)
        // Twice each: the second run of the same text is graphql-jit's compiled query.
        const answers = [
          await ctx.gql(ctx.adminToken, inline), await ctx.gql(ctx.adminToken, asVariable, { j: value }),
          await ctx.gql(ctx.adminToken, inline), await ctx.gql(ctx.adminToken, asVariable, { j: value })
        ]
        t.notOk(answers.some(internal), `never INTERNAL: ${inline}`, { answers })
        for (const other of answers.slice(1)) t.same(answer(other), answer(answers[0]), `${JSON.stringify(value)}: the same answer`)
        storedSomewhere ||= value !== null && stored(answers[0].data, value)
      }

      // $variables inside an inline literal, one of them not sent: as if that key were absent.
      const withVariables = probeQuery(probe, '{ vip: $v, level: "金卡", list: [$v, 2, $s], deep: { w: $w, gone: $absent } }',
        '$v: Boolean, $s: String, $w: JSON, $absent: JSON', ids)
      const same = probeQuery(probe, '$j', declared, ids)
      for (const v of [true, false]) {
        const nested = await ctx.gql(ctx.adminToken, withVariables, { v, s: '二', w: { x: [null] } })
        const whole = await ctx.gql(ctx.adminToken, same, { j: { vip: v, level: '金卡', list: [v, 2, '二'], deep: { w: { x: [null] } } } })
        t.notOk(internal(nested), 'never INTERNAL', { nested })
        t.same(answer(nested), answer(whole), `$v = ${v}: the same answer as the whole value sent as a variable`)
      }
      if (!storedSomewhere) t.comment(`${describeProbe(probe)} refused the probe's values in both forms (a userError or NOT_FOUND): the targeted tests check its stored value`)
    })
  }
})
