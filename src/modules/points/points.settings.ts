import { eq } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { loyaltySettings } from '../../db/schema/points.js'
import type { ExpiryPolicy } from '../../rules/points-lots.js'

export type LoyaltySettings = ExpiryPolicy & { timeZone: string; version: number; updatedAt: Date }

/** The programme's settings row (seeded by the migration; the defaults if it was removed). */
export async function loadSettings(ex: Executor): Promise<LoyaltySettings> {
  const [row] = await ex.select().from(loyaltySettings).where(eq(loyaltySettings.id, 1))
  return row
    ? { months: row.expiryMonths, rounding: row.expiryRounding, timeZone: row.timeZone, version: row.version, updatedAt: row.updatedAt }
    : { months: 12, rounding: 'month_end', timeZone: 'Asia/Shanghai', version: 0, updatedAt: new Date(0) }
}
