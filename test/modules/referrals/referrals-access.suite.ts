import t from 'tap'
import { forEachDatabase, type GqlResult } from '../../helper.js'
import { createReferrer, newPhone, referrerToken, submit, REFERRAL } from './support.js'

// Without consent the referrals become leads at once, so team reach (lead owner) can be seen.
await forEachDatabase(t, async (t, ctx) => {
  const north = await ctx.createTeam('North')
  const south = await ctx.createTeam('South')
  const alice = await ctx.staff('sales', { teamId: north, name: 'Alice' })
  const bob = await ctx.staff('sales', { teamId: north, name: 'Bob' })
  const carol = await ctx.staff('sales', { teamId: south, name: 'Carol' })
  const marketing = await ctx.staff('marketing')
  const mine = await createReferrer(ctx, { name: 'Mine', ownerId: alice.userId })
  const theirs = await createReferrer(ctx, { name: 'Theirs', ownerId: carol.userId })
  const mineToken = await referrerToken(ctx, mine.id)
  const minePhone = newPhone()
  const theirsPhone = newPhone()
  const ownReferral = (await submit(ctx, mineToken, { name: 'Friend of mine', phone: minePhone, note: 'call after 6pm' })).referral!
  const theirReferral = (await submit(ctx, ctx.adminToken, { referrerId: theirs.id, name: 'Friend of theirs', phone: theirsPhone })).referral!
  const LIST = `{ referrals(first: 200) { totalCount edges { node { id } } } }`
  const ids = (r: GqlResult) => r.data.referrals.edges.map((e: { node: { id: string } }) => e.node.id)

  await t.test('a referrer token submits as itself, never gets a consent token, and sees contact masked', async (t) => {
    t.match(ownReferral, { status: 'submitted', referrerId: mine.id, phone: `${minePhone.slice(0, 3)}****${minePhone.slice(7)}`, note: 'call after 6pm' })
    const other = await ctx.gql(mineToken, 'mutation($i: SubmitReferralInput!) { submitReferral(input: $i) { referral { id } } }', { i: { referrerId: theirs.id, name: 'x', phone: newPhone() } })
    t.match(other.errors, [{ extensions: { code: 'FORBIDDEN' } }])
    const asOther = await ctx.gql(mineToken, 'mutation($i: SubmitReferralInput!) { submitReferral(input: $i) { referral { id } } }', { i: { referralCode: theirs.code, name: 'x', phone: newPhone() } })
    t.match(asOther.errors, [{ extensions: { code: 'FORBIDDEN' } }])
    const rest = await ctx.rest(mineToken, 'POST', '/api/v1/referrals', { referrerId: theirs.id, name: 'x', phone: newPhone() })
    t.equal(rest.statusCode, 403)
  })

  await t.test('a referrer token lists only its own referrals and gets null / 404 for another’s', async (t) => {
    const list = await ctx.gql(mineToken, LIST)
    t.same(ids(list), [ownReferral.id])
    t.equal(list.data.referrals.totalCount, 1)
    t.equal((await ctx.gql(mineToken, 'query($id: ID!) { referral(id: $id) { id } }', { id: theirReferral.id })).data.referral, null)
    t.equal((await ctx.rest(mineToken, 'GET', `/api/v1/referrals/${theirReferral.id}`)).statusCode, 404)
    const rest = await ctx.rest(mineToken, 'GET', '/api/v1/referrals')
    t.same(rest.json().data.map((r: { id: string; phone: string }) => [r.id, r.phone]), [[ownReferral.id, `${minePhone.slice(0, 3)}****${minePhone.slice(7)}`]])
    const filtered = await ctx.gql(mineToken, 'query($r: ID!) { referrals(filter: { referrerId: $r }) { totalCount } }', { r: theirs.id })
    t.equal(filtered.data.referrals.totalCount, 0, 'filtering by another referrer finds nothing')
  })

  await t.test('a referrer token sees its own stats and referrals; relations it may not read are null, not errors', async (t) => {
    const r = await ctx.gql(mineToken, `{ me { referrer { id stats { submitted accepted converted conversionRate } referrals { totalCount edges { node { id lead { id } campaign { id } referrer { id } } } } } } }`)
    t.notOk(r.errors)
    t.same(r.data.me.referrer.stats, { submitted: 1, accepted: 1, converted: 0, conversionRate: 0 })
    t.same(r.data.me.referrer.referrals.edges, [{ node: { id: ownReferral.id, lead: null, campaign: null, referrer: { id: mine.id } } }])
  })

  await t.test('a referrer sees why a referral was rejected, but not what it matched', async (t) => {
    const dup = (await submit(ctx, mineToken, { name: 'Dup', phone: theirsPhone })).referral!
    t.match(dup, { status: 'rejected', rejectionReason: 'duplicate', rejectionDetail: 'This person has already been referred.' })
    const staffView = await ctx.gql(ctx.adminToken, 'query($id: ID!) { referral(id: $id) { rejectionDetail } }', { id: dup.id })
    t.match(staffView.data.referral.rejectionDetail, new RegExp(`referral ${theirReferral.id}`))
  })

  await t.test('a referrer token can neither answer consent nor hold a consent token', async (t) => {
    const c = await ctx.gql(mineToken, 'mutation { confirmReferralConsent(token: "0123456789abcdef0123", input: { granted: true, channel: "x", purpose: "y", by: "z" }) { referral { id } } }')
    t.match(c.errors, [{ extensions: { code: 'FORBIDDEN' } }])
    t.equal((await ctx.rest(mineToken, 'POST', `/api/v1/referrals/${ownReferral.id}/consent-token`)).statusCode, 403)
    t.equal((await ctx.rest(mineToken, 'POST', `/api/v1/referrals/${ownReferral.id}/qualify`)).statusCode, 403)
  })

  await t.test('sales see the referrals of their team: by the lead’s owner or the referrer’s relationship owner', async (t) => {
    const lead = await ctx.gql(ctx.adminToken, 'query($id: ID!) { referral(id: $id) { lead { owner { id } } } }', { id: ownReferral.id })
    t.equal(lead.data.referral.lead.owner.id, alice.userId, 'routed to the referrer’s relationship owner')
    const north = ids(await ctx.gql(alice.token, LIST))
    t.ok(north.includes(ownReferral.id) && !north.includes(theirReferral.id))
    t.same(ids(await ctx.gql(bob.token, LIST)), north, 'a team mate sees the same')
    t.same(ids(await ctx.gql(carol.token, LIST)), [theirReferral.id])
    t.equal((await ctx.rest(carol.token, 'GET', `/api/v1/referrals/${ownReferral.id}`)).statusCode, 404)
    const clear = await ctx.gql(alice.token, 'query($id: ID!) { referral(id: $id) { phone } }', { id: ownReferral.id })
    t.equal(clear.data.referral.phone, minePhone, 'sales read personal data in clear')
  })

  await t.test('marketing reads every referral masked and may not submit', async (t) => {
    const r = await ctx.gql(marketing.token, `query($id: ID!) { referral(id: $id) { ${REFERRAL} } }`, { id: theirReferral.id })
    t.equal(r.data.referral.phone, `${theirsPhone.slice(0, 3)}****${theirsPhone.slice(7)}`)
    t.ok((await ctx.gql(marketing.token, LIST)).data.referrals.totalCount >= 2)
    const s = await ctx.gql(marketing.token, 'mutation($i: SubmitReferralInput!) { submitReferral(input: $i) { referral { id } } }', { i: { referrerId: mine.id, name: 'x', phone: newPhone() } })
    t.match(s.errors, [{ extensions: { code: 'FORBIDDEN' } }])
  })

  await t.test('a key narrowed to other entities may not touch referrals', async (t) => {
    const token = await ctx.keyToken('integration', { entities: ['customers'] })
    t.equal((await ctx.rest(token, 'GET', '/api/v1/referrals')).statusCode, 403)
    const narrowed = await ctx.keyToken('integration', { entities: ['referrals'] })
    t.equal((await ctx.rest(narrowed, 'GET', '/api/v1/referrals')).statusCode, 200)
    t.equal((await ctx.rest(await ctx.keyToken('integration', { readOnly: true }), 'POST', '/api/v1/referrals', { referrerId: mine.id, name: 'x', phone: newPhone() })).statusCode, 403)
  })
}, { REFERRAL_CONSENT_REQUIRED: 'false' })
