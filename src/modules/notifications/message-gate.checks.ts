import type { GateChannel, GateTemplate } from './message-gate.repository.js'
import type { CustomerMessageRequest, GateStatus } from './message-gate.service.js'
import type { GateCustomer } from './message-variables.js'

/** A request on its way through the gate: what it refers to, and its decision once one is made. */
export type Draft = {
  request: CustomerMessageRequest
  customer?: GateCustomer; template?: GateTemplate; channel?: GateChannel | null
  status?: GateStatus; reason?: string | null; sendAfter?: Date
  values?: Record<string, string>; messageId?: string
  /** An earlier request of the same batch with the same dedupe key: its message is this one's. */
  duplicateOf?: Draft
}

export type Loaded = {
  customers: ReadonlyMap<string, GateCustomer>; templates: ReadonlyMap<string, GateTemplate>
  channels: { byId: ReadonlyMap<string, GateChannel>; defaults: ReadonlyMap<string, GateChannel> }
  existing: ReadonlyMap<string, string>
}

/** Whether the customer's current consent lets a message of this purpose out on this channel kind. */
export type ConsentCheck = (customerId: string, purpose: string, channelKind: string) => boolean

const CUSTOMER_KINDS = new Set(['sms', 'email'])

/**
 * The checks that need no lock, in the order docs/guardrails.md lists them: duplicate, what the
 * request names (customer, template, channel), address, consent. The first that fails decides.
 * Unknown customers and templates get no row (there is nothing to attach it to); the rest do.
 */
export function preCheck(requests: readonly CustomerMessageRequest[], loaded: Loaded, consents: ConsentCheck): Draft[] {
  const seen = new Map<string, Draft>()
  return requests.map((request) => {
    const d: Draft = { request }
    const block = (reason: string) => Object.assign(d, { status: 'blocked' as const, reason })
    const earlier = seen.get(request.dedupeKey)
    const existing = loaded.existing.get(request.dedupeKey)
    if (existing || earlier) return Object.assign(d, { status: 'duplicate' as const, reason: null, messageId: existing, duplicateOf: existing ? undefined : earlier })
    seen.set(request.dedupeKey, d)
    d.customer = loaded.customers.get(request.customerId)
    d.template = loaded.templates.get(request.templateId)
    if (!d.customer) return block('unknown_customer')
    if (!d.template) return block('unknown_template')
    const t = d.template
    if (t.purpose === 'staff' || !CUSTOMER_KINDS.has(t.channelKind)) return block('not_a_customer_template')
    if (!t.active) return block('template_inactive')
    if (request.channelId) {
      d.channel = loaded.channels.byId.get(request.channelId) ?? null
      if (!d.channel || d.channel.kind !== t.channelKind) return block('unknown_channel')
      if (!d.channel.active) return block('channel_inactive')
    } else {
      d.channel = loaded.channels.defaults.get(t.channelKind) ?? null
      if (!d.channel) return block('no_channel')
    }
    if (t.channelKind === 'sms' ? !d.customer.hasPhone : !d.customer.hasEmail) return block('no_address')
    if (!consents(request.customerId, t.purpose, t.channelKind)) return block('no_consent')
    return d
  })
}
