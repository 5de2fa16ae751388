import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { isSubscribable, webhookEventTypes } from '../../../src/modules/webhooks/webhook-events.js'

const src = fileURLToPath(new URL('../../../src/modules', import.meta.url))

/** Every `type: 'entity.action'` the services write to the outbox, read from their source. */
function emittedTypes(): Set<string> {
  const found = new Set<string>()
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue
    const text = readFileSync(join(entry.parentPath, entry.name), 'utf8')
    for (const m of text.matchAll(/emit\(\{\s*type:\s*'([a-z_]+\.[a-z_]+)'/g)) found.add(m[1])
  }
  return found
}

// API.md's list: the public contract.
const contract = [
  'customer.created', 'customer.updated', 'customer.merged', 'referral.submitted', 'referral.consented', 'referral.qualified',
  'referral.converted', 'referral.rejected', 'lead.created', 'lead.assigned', 'lead.converted', 'lead.sla_breached',
  'opportunity.stage_changed', 'opportunity.won', 'opportunity.lost', 'order.recorded', 'order.refunded', 'reward.created',
  'reward.approved', 'reward.paid', 'reward.reversed', 'rfm.recomputed'
]

t.test('the catalogue holds every event of the public contract', async (t) => {
  for (const type of contract) t.ok(webhookEventTypes.includes(type as never), type)
})

t.test('the catalogue holds every event type the services emit, so an endpoint can subscribe to it', async (t) => {
  const emitted = emittedTypes()
  t.ok(emitted.size > 20, `found ${emitted.size} emitted types`)
  for (const type of emitted) t.ok(webhookEventTypes.includes(type as never), `${type} is in webhookEventTypes`)
  // Built from variables (task actions, referral statuses, opportunity stages, reward moves).
  for (const type of ['task.updated', 'task.completed', 'task.cancelled', 'referral.qualified', 'referral.converted', 'opportunity.won', 'opportunity.lost', 'reward.paid']) {
    t.ok(webhookEventTypes.includes(type as never), type)
  }
  t.ok(webhookEventTypes.includes('webhook_endpoint.disabled'), 'the delivery engine\'s own event')
  t.equal(new Set(webhookEventTypes).size, webhookEventTypes.length, 'no repeats')
})

t.test('subscribable names: catalogue types and `entity.*` of a known entity', async (t) => {
  for (const name of ['customer.created', 'customer.*', 'webhook_endpoint.*', 'follow_up_policy.deleted']) t.ok(isSubscribable(name), name)
  for (const name of ['customer.exploded', 'nothing.*', '*', 'customer', 'customer.', '.*', 'Customer.created', 'customer.*.*', ' customer.created']) {
    t.notOk(isSubscribable(name), JSON.stringify(name))
  }
})
