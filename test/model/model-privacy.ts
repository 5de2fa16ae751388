import type { Model } from './model-state.js'
import { ModelFailure, type World } from './model-world.js'

/**
 * The model's privacy state (test/model/model-commands-privacy.ts): who was erased, and the
 * invariant every command checks after it ran. Apart from the commands, so model-command.ts
 * can import it without a cycle.
 */
const fail = (msg: string): never => { throw new ModelFailure(msg) }

/** What the model knows of erasures: the customers erased, and the externalIds they had (retired for good). */
export class PrivacyModel {
  erased = new Set<string>()
  erasedExternalIds: string[] = []
  erasedPhones: string[] = []
}
const state = new WeakMap<Model, PrivacyModel>()
export function privacyOf(m: Model): PrivacyModel {
  let p = state.get(m)
  if (!p) { p = new PrivacyModel(); state.set(m, p) }
  return p
}

/** The customers that are one person by merge (both ways), as the service follows them. */
export function mergeFamily(m: Model, id: string): Set<string> {
  const family = new Set([id])
  for (let grew = true; grew;) {
    grew = false
    for (const c of m.customers.values()) {
      const linked = (c.mergedInto && family.has(c.mergedInto)) || (family.has(c.id) && c.mergedInto)
      for (const x of linked ? [c.id, c.mergedInto!] : []) if (!family.has(x)) { family.add(x); grew = true }
    }
  }
  return family
}

/** Invariant: no customer row of an erased person still carries a sealed value or blind index of a phone or email. */
export async function checkErased(w: World, m: Model): Promise<void> {
  const p = state.get(m)
  if (!p || p.erased.size === 0) return
  const rows = await w.sql<{ id: string }>(`select id::text from customers where id = any($1::uuid[])
    and (phone_enc is not null or phone_idx is not null or email_enc is not null or email_idx is not null)`, [[...p.erased]])
  for (const { id } of rows) fail(`erased customer ${id} still carries phone/email values`)
}
