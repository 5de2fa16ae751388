import type { PiiCipher } from '../lib/pii.js'
import { maskEmail, maskPhone } from '../rules/contact.js'
import { REFERRAL_CODE_ALPHABET } from '../rules/referral-code.js'
import type { CopyValue } from './seed-copy.js'
import { Rng, Weighted } from './seed-random.js'
import * as words from './seed-words.js'

/**
 * Generators of realistic referrers and customers (mainland names, mobiles, companies,
 * regions). Each call draws from the stream it is given in a fixed order, so the same
 * seed gives the same people; only ids, ciphertext and the run's external ids differ.
 */

export const DAY_MS = 86_400_000
/** How far back the seeded history reaches. */
export const HISTORY_MS = 730 * DAY_MS

const surnames = new Weighted(words.SURNAMES)
const provinces = new Weighted(words.PROVINCES)
const industries = new Weighted(words.INDUSTRIES)
const legalForms = new Weighted(words.LEGAL_FORMS)
const titles = new Weighted(words.TITLES)
const sources = new Weighted(words.SOURCE_CHANNELS)
const tags = new Weighted(words.TAGS)
const emailDomains = new Weighted(words.EMAIL_DOMAINS)
const mobilePrefixes = new Weighted(words.MOBILE_PREFIXES)
const consentChannels = new Weighted(words.CONSENT_CHANNELS)
const referrerKinds = new Weighted(words.REFERRER_KINDS)

export const REFERRER_COLUMNS = [
  'id', 'external_id', 'created_at', 'updated_at', 'kind', 'name',
  'phone_enc', 'phone_idx', 'phone_masked', 'email_enc', 'email_idx', 'email_masked',
  'company', 'industry', 'title', 'region', 'code', 'status', 'owner_id'
] as const

export const CUSTOMER_COLUMNS = [
  'id', 'external_id', 'created_at', 'updated_at', 'name', 'gender', 'birthday',
  'phone_enc', 'phone_idx', 'phone_masked', 'email_enc', 'email_idx', 'email_masked',
  'address', 'company', 'industry', 'title', 'region', 'source_channel', 'owner_id', 'referrer_id', 'tags', 'consent'
] as const

export type Person = { name: string; gender: 'male' | 'female' | 'unknown'; surname: words.Syllable; given: words.Syllable[] }
export type Company = { name: string; industry: string; domain: string }
export type Place = { province: string; city: string }

export function person(rng: Rng): Person {
  const roll = rng.next()
  const gender = roll < 0.48 ? 'male' : roll < 0.96 ? 'female' : 'unknown'
  const surname = surnames.draw(rng)
  const pool = gender === 'male' || (gender === 'unknown' && rng.chance(0.5)) ? words.MALE_GIVEN : words.FEMALE_GIVEN
  const given = [rng.pick(pool)]
  if (rng.chance(0.75)) {
    const second = rng.pick(pool)
    if (second[0] !== given[0][0]) given.push(second)
  }
  return { name: surname[0] + given.map((g) => g[0]).join(''), gender, surname, given }
}

export function place(rng: Rng): Place {
  const [province, cities] = provinces.draw(rng)
  return { province, city: rng.pick(cities) }
}

export function company(rng: Rng, at: Place): Company {
  const [industry, scopes] = industries.draw(rng)
  const first = rng.pick(words.BRAND_SYLLABLES)
  let second = rng.pick(words.BRAND_SYLLABLES)
  if (second[0] === first[0]) second = words.BRAND_SYLLABLES[(words.BRAND_SYLLABLES.indexOf(first) + 1) % words.BRAND_SYLLABLES.length]
  // Company names lead with their city (深圳华信科技有限公司); a municipality's district is not used.
  const municipality = at.province.endsWith('市')
  const city = rng.chance(0.7) ? (municipality ? at.province : at.city).replace(/市$/, '') : ''
  return {
    name: `${city}${first[0]}${second[0]}${rng.pick(scopes)}${legalForms.draw(rng)}`,
    industry,
    domain: `${first[1]}${second[1]}${rng.chance(0.5) ? '.com' : '.com.cn'}`
  }
}

/** A valid, normalised mainland mobile (^1[3-9]\d{9}$). */
export function mobile(rng: Rng): string {
  return mobilePrefixes.draw(rng) + rng.digits(8)
}

export function email(rng: Rng, who: Person, firm: Company | null): string {
  const domain = emailDomains.draw(rng) ?? firm?.domain ?? '163.com'
  const sur = who.surname[1]
  const giv = who.given.map((g) => g[1]).join('')
  if (domain === 'qq.com' && rng.chance(0.6)) return `${rng.int(1, 9)}${rng.digits(rng.int(4, 9))}@qq.com`
  if (firm && domain === firm.domain) return `${giv}.${sur}@${domain}`
  const style = rng.int(0, 3)
  const local = style === 0 ? `${sur}${giv}` : style === 1 ? `${sur}.${giv}` : style === 2 ? `${sur}${giv}${rng.digits(rng.int(2, 4))}` : `${giv}_${sur}${rng.digits(2)}`
  return `${local}@${domain}`
}

export function sealedPhone(pii: PiiCipher, phone: string | null): CopyValue[] {
  return phone === null ? [null, null, null] : [pii.seal(phone), pii.index(phone), maskPhone(phone)]
}

export function sealedEmail(pii: PiiCipher, address: string | null): CopyValue[] {
  return address === null ? [null, null, null] : [pii.seal(address), pii.index(address), maskEmail(address)]
}

/** When something began: up to HISTORY_MS ago, denser towards now (three times the sign-ups of two years ago). */
export function createdWithinHistory(rng: Rng, now: number): number {
  const u = rng.next()
  return Math.round(now - HISTORY_MS * (rng.chance(0.5) ? u : 1 - Math.sqrt(u)))
}

/** A referral code unique to this run: its id, then the index in the code alphabet. */
export function referralCode(runId: string, index: number): string {
  let n = index
  let tail = ''
  do {
    tail = REFERRAL_CODE_ALPHABET[n % REFERRAL_CODE_ALPHABET.length] + tail
    n = Math.floor(n / REFERRAL_CODE_ALPHABET.length)
  } while (n > 0)
  return runId + tail.padStart(3, REFERRAL_CODE_ALPHABET[0])
}

export type Generated = { values: CopyValue[]; createdAt: number }

export type RowContext = { id: string; externalId: string; now: number; ownerId: string | null; pii: PiiCipher }

/** A referrer (推荐人): most are customers or employees; partners are often a company. */
export function referrerRow(rng: Rng, ctx: RowContext & { code: string }): Generated {
  const kind = referrerKinds.draw(rng)
  const who = person(rng)
  const at = place(rng)
  const firm = kind === 'partner' || rng.chance(0.3) ? company(rng, at) : null
  const name = kind === 'partner' && firm && rng.chance(0.6) ? firm.name : who.name
  // Most joined when the programme launched; the rest trickled in since.
  const createdAt = rng.chance(0.5) ? Math.round(ctx.now - HISTORY_MS + rng.next() * 90 * DAY_MS) : createdWithinHistory(rng, ctx.now)
  const statusRoll = rng.next()
  const status = statusRoll < 0.92 ? 'active' : statusRoll < 0.97 ? 'suspended' : 'archived'
  const phone = rng.chance(0.9) ? mobile(rng) : null
  const mail = rng.chance(0.3) ? email(rng, who, firm) : null
  const iso = new Date(createdAt).toISOString()
  return {
    createdAt,
    values: [
      ctx.id, ctx.externalId, iso, iso, kind, name, ...sealedPhone(ctx.pii, phone), ...sealedEmail(ctx.pii, mail),
      firm?.name ?? null, firm?.industry ?? null, firm && rng.chance(0.7) ? titles.draw(rng) : null, at.province,
      ctx.code, status, ctx.ownerId
    ]
  }
}

/** A customer (客户). `referrerId`: the referrer credited with bringing them, if any. */
export function customerRow(rng: Rng, ctx: RowContext & { createdAt: number; referrerId: string | null }): Generated {
  const who = person(rng)
  const at = place(rng)
  const firm = rng.chance(0.55) ? company(rng, at) : null
  const { createdAt, now } = ctx
  const iso = new Date(createdAt).toISOString()
  const birthday = rng.chance(0.55)
    ? new Date(now - (rng.int(20, 65) * 365.25 + rng.int(0, 364)) * DAY_MS).toISOString().slice(0, 10)
    : null
  const phone = rng.chance(0.95) ? mobile(rng) : null
  const mail = rng.chance(0.4) ? email(rng, who, firm) : null
  const address = rng.chance(0.6) ? `${at.province}${at.city}${rng.pick(words.ROADS)}${rng.int(1, 999)}号` : null
  const industry = firm?.industry ?? (rng.chance(0.2) ? industries.draw(rng)[0] : null)
  const title = firm && rng.chance(0.85) ? titles.draw(rng) : null
  // Drawn either way, so crediting a referrer (which depends on --referrers) cannot shift the stream.
  const drawnSource = sources.draw(rng)
  const source = ctx.referrerId ? 'referral' : drawnSource
  const tagList = new Set<string>()
  const tagCount = [0, 0, 0, 1, 1, 1, 1, 2, 2, 3][rng.int(0, 9)]
  for (let i = 0; i < tagCount; i++) tagList.add(tags.draw(rng))
  if (firm && rng.chance(0.3)) tagList.add('企业客户')
  const consentRoll = rng.next()
  const consent = consentRoll < 0.1 ? null : {
    granted: consentRoll < 0.95, at: iso, channel: consentChannels.draw(rng), purpose: '服务通知与营销推广'
  }
  return {
    createdAt,
    values: [
      ctx.id, ctx.externalId, iso, iso, who.name, who.gender, birthday, ...sealedPhone(ctx.pii, phone), ...sealedEmail(ctx.pii, mail),
      address, firm?.name ?? null, industry, title, at.province, source, ctx.ownerId, ctx.referrerId, [...tagList], consent
    ]
  }
}
