import type { ReferrerRow } from '../referrers/referrers.repository.js'

/**
 * How a landing page names the referrer: its chosen `attributes.displayName`, else the
 * name shortened so that a guessed code reveals no full name (张三丰 → 张**,
 * John Smith → John S.).
 */
export function displayName(referrer: Pick<ReferrerRow, 'name' | 'attributes'>): string {
  const chosen = referrer.attributes?.displayName
  if (typeof chosen === 'string' && chosen.trim()) return chosen.trim().slice(0, 100)
  const name = referrer.name.trim()
  const words = name.split(/\s+/)
  if (words.length > 1) return `${words[0]} ${words[words.length - 1][0].toUpperCase()}.`
  const chars = [...name]
  return chars.length <= 1 ? name : `${chars[0]}${'*'.repeat(chars.length - 1)}`
}
