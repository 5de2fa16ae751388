import type { FieldError } from '../errors.js'
import { zhMessages, zhTerms } from './zh.js'

/** The languages messages come in; codes never change with it. */
export type Locale = 'en' | 'zh'

/**
 * The language an Accept-Language header asks for: Simplified Chinese for zh, zh-CN,
 * zh-SG and zh-Hans (any region), English otherwise, best q-value first (q=0: not at all).
 * Traditional Chinese (zh-TW, zh-HK, zh-Hant) is not offered: the next choice applies.
 */
export function localeOf(header: string | string[] | undefined): Locale {
  const text = Array.isArray(header) ? header.join(',') : header
  if (!text) return 'en'
  const ranges = text.split(',').map((part, i) => {
    const [tag, ...params] = part.trim().toLowerCase().split(';')
    const q = params.map((p) => /^\s*q\s*=\s*([\d.]+)\s*$/.exec(p)).find(Boolean)
    return { tag: tag.trim(), q: q ? Number(q[1]) : 1, i }
  }).filter((r) => r.tag && r.q > 0 && !Number.isNaN(r.q)).sort((a, b) => b.q - a.q || a.i - b.i)
  for (const { tag } of ranges) {
    if (tag === 'en' || tag.startsWith('en-') || tag === '*') return 'en'
    if (tag === 'zh' || tag.startsWith('zh-hans') || tag === 'zh-cn' || tag === 'zh-sg') return 'zh'
  }
  return 'en'
}

type Template = { re: RegExp; to: string; literal: number }
const normalise = (key: string) => key.replace(/\{[^}]*\}/g, '{}')
const exact = new Map<string, string>()
const templates: Template[] = []
for (const [key, to] of Object.entries(zhMessages)) {
  if (!key.includes('{}')) { exact.set(key, to); continue }
  // "field: message" is handled apart, so the field name is never taken for a term.
  if (key === '{}: {}') continue
  const pattern = key.split('{}').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(.+?)')
  templates.push({ re: new RegExp(`^${pattern}$`, 's'), to, literal: key.replace(/\{\}/g, '').length })
}
// The most specific first: "must be at most {} characters long" before "must be at most {}".
templates.sort((a, b) => b.literal - a.literal)

/** Whether a message (as the source writes it, `{}` for each value) has a translation. */
export function hasTranslation(message: string): boolean {
  const key = normalise(message)
  if (exact.has(key) || key in zhTerms || Object.keys(zhMessages).some((k) => normalise(k) === key)) return true
  if (!/[A-Za-z]/.test(key.replace(/\{\}/g, ''))) return true
  const parts = key.split('; ')
  return parts.length > 1 && parts.every(hasTranslation)
}

/** The message in the locale; English is the source, so it is returned as it is. */
export function translate(message: string, locale: Locale): string {
  return locale === 'en' ? message : toZh(message, 0)
}

function toZh(text: string, depth: number): string {
  const known = exact.get(text) ?? zhTerms[text]
  if (known !== undefined || depth > 4) return known ?? text
  if (text.includes(' | ')) return text.split(' | ').map((p) => toZh(p, depth + 1)).join(' | ')
  const parts = text.split('; ')
  if (parts.length > 1) return parts.map((p) => toZh(p, depth + 1)).join('；')
  for (const t of templates) {
    const m = t.re.exec(text)
    if (m) return t.to.replace(/\{(\d+)\}/g, (_s, i: string) => toZh(m[Number(i) + 1] ?? '', depth + 1))
  }
  // "field: message": the field is a name in the API, never translated.
  const field = /^([\w$.[\]-]+): (.+)$/s.exec(text)
  return field ? `${field[1]}：${toZh(field[2], depth + 1)}` : text
}

export function translateFieldErrors(errors: FieldError[], locale: Locale): FieldError[] {
  return locale === 'en' ? errors : errors.map((e) => ({ ...e, message: translate(e.message, locale) }))
}
