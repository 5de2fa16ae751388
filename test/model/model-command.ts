import type fc from 'fast-check'
import type { Actor, Model } from './model-state.js'
import { checkLedger } from './model-invariants.js'
import { checkPoints } from './model-invariants-points.js'
import { checkLevels } from './model-levels.js'
import { checkCoupons } from './model-coupons.js'
import { checkAutomation } from './model-automation.js'
import { checkErased } from './model-privacy.js'
import type { Caller, World } from './model-world.js'

/**
 * The base of every command: counts it, runs it, then checks the invariants that are cheap
 * enough for every step (the ledger; each write checks its own log). `toString` is what
 * fast-check prints for a failing (shrunk) sequence, so it names the caller and arguments.
 */
export abstract class Cmd implements fc.AsyncCommand<Model, World> {
  abstract check(m: Readonly<Model>): boolean
  protected abstract exec(m: Model, w: World): Promise<void>
  abstract toString(): string

  async run(m: Model, w: World): Promise<void> {
    w.commands++
    await this.exec(m, w)
    await checkLedger(w, m)
    await checkPoints(w, m)
    await checkLevels(w, m)
    await checkCoupons(w, m)
    await checkAutomation(w, m)
    await checkErased(w, m)
  }
}

export function actorOf(m: Model, name: string): Actor {
  const a = m.actors.find((x) => x.name === name)
  if (!a) throw new Error(`no actor ${name}`)
  return a
}

export function who(m: Model, w: World, name: string): { a: Actor; c: Caller } {
  return { a: actorOf(m, name), c: w.caller(name) }
}

let serial = 0
/** A fresh mainland mobile (unique in the process, so the duplicate checks never fire by accident). */
export function freshPhone(): string {
  serial++
  return `13${String(process.pid % 1000).padStart(3, '0')}${String(serial).padStart(6, '0')}`
}
export function fresh(prefix: string): string {
  serial++
  return `${prefix}${serial}`
}

/** Staff callers the generators pick from. */
export const staffNames = ['admin', 'manager', 'salesA1', 'salesA2', 'salesB1', 'marketing', 'service', 'integration'] as const
export type StaffName = (typeof staffNames)[number]
