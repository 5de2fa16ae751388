import type { Actor } from '../auth/actor.js'

// Filter keys that carry a personal value (a search may be a phone number or an email).
const personalKeys = new Set(['phone', 'email', 'search', 'q', 'idNumber', 'name'])
const personalShape = /@|\d{5,}/

/** A filter as an access entry keeps it: personal values replaced, so the entry holds none (erasure need not touch it). */
export function redactFilter(filter: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue
    out[key] = personalKeys.has(key) || (typeof value === 'string' && personalShape.test(value)) ? '[redacted]' : value
  }
  return out
}

/**
 * An NDJSON export's chunks with its access entries: one written before the first chunk
 * leaves (the ids of the rows in it), one when the stream ends or is cut (the rest: count
 * exact, ids up to MAX_IDS). Two rows per export, whatever its size.
 */
export function auditedExport(actor: Actor, entityType: string, filter: Record<string, unknown>, chunks: AsyncGenerator<string>): AsyncGenerator<string> {
  const access = actor.access
  if (!access) return chunks
  // Now, not when the stream starts: rows read before the answer leaves belong to the export too.
  access.describe(entityType, `${entityType}.exported`, redactFilter(filter))
  return flushing(access, chunks)
}

async function* flushing(access: NonNullable<Actor['access']>, chunks: AsyncGenerator<string>): AsyncGenerator<string> {
  let first = true
  try {
    for await (const chunk of chunks) {
      if (first) { await access.flush(); first = false }
      yield chunk
    }
  } finally {
    await access.flush()
  }
}
