import type { Model } from './model-state.js'
import { ModelFailure, type World } from './model-world.js'

/**
 * After every command: each points account's balance is the sum of its ledger and of its
 * lots' remainders, never below zero; a merged customer holds none; and the balances are the model's.
 */
export async function checkPoints(w: World, m: Model): Promise<void> {
  const rows = await w.sql<{ customer_id: string | null; balance: string; ledger: string; lots: string }>(`select a.customer_id::text, a.balance::text,
    (select coalesce(sum(amount), 0) from points_entries e where e.account_id = a.id)::text as ledger,
    (select coalesce(sum(remaining), 0) from points_lots l where l.account_id = a.id)::text as lots
    from points_accounts a`)
  const real = new Map<string, number>()
  for (const r of rows) {
    const [balance, ledger, lots] = [Number(r.balance), Number(r.ledger), Number(r.lots)]
    if (balance !== ledger || balance !== lots || balance < 0) {
      throw new ModelFailure(`points account of ${r.customer_id}: balance ${balance}, ledger ${ledger}, lots ${lots}`)
    }
    if (r.customer_id) real.set(r.customer_id, balance)
  }
  for (const id of new Set([...real.keys(), ...m.points.keys()])) {
    if ((real.get(id) ?? 0) !== (m.points.get(id) ?? 0)) throw new ModelFailure(`points of customer ${id}: app ${real.get(id) ?? 'no account'}, model ${m.points.get(id) ?? 0}`)
    if (real.has(id) && m.customers.get(id)?.merged) throw new ModelFailure(`customer ${id} is merged but still holds a points account`)
  }
}
