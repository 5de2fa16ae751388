import { CrmError } from '../../errors.js'

/**
 * CSV cells are text; the single writes take JSON. Each column has a kind saying how its
 * text becomes the value the write's schema checks. An empty cell means "none": null for
 * a field that may be null, an empty list or object for tags and attributes, and "not
 * given" for the rest (the default on create, unchanged on update). A column left out of
 * the header is not given at all.
 */
export type CellKind =
  /** '' → null; else the text. */
  | 'text'
  /** '' → not given; else the text (required fields, enums with a default). */
  | 'given'
  /** '' → not given; digits → a number (anything else stays text, and the schema refuses it). */
  | 'integer'
  /** '' → []; a JSON array as is; else items split on ';', trimmed. */
  | 'list'
  /** '' → {}; else a JSON object. */
  | 'object'
  /** '' → null; else a JSON object. */
  | 'nullableObject'

const key = (name: string) => name.toLowerCase().replace(/[\s_-]/g, '')

/**
 * Maps a header to the fields its columns set: the field's own name in any case, with or
 * without underscores (`externalId`, `external_id`, `EXTERNALID`). An unknown or repeated
 * column refuses the whole file before any row is written.
 */
export function headerFields(columns: Readonly<Record<string, CellKind>>, header: string[]): string[] {
  const byKey = new Map(Object.keys(columns).map((f) => [key(f), f]))
  const fields = header.map((name) => byKey.get(key(name.trim())))
  const unknown = header.filter((_, i) => !fields[i])
  if (unknown.length > 0) {
    throw new CrmError('CRM_ERR_VALIDATION', `Unknown CSV columns: ${unknown.join(', ')}`,
      unknown.map((u) => ({ field: u, message: `is not a known column (known: ${Object.keys(columns).join(', ')})`, code: 'UNKNOWN_COLUMN' })))
  }
  const seen = new Set<string>()
  for (const f of fields as string[]) {
    if (seen.has(f)) throw new CrmError('CRM_ERR_VALIDATION', `CSV column ${f} appears twice`, [{ field: f, message: 'appears twice', code: 'DUPLICATE_COLUMN' }])
    seen.add(f)
  }
  return fields as string[]
}

/** A row's cells as the write's input; a cell that should be JSON and is not refuses the row. */
export function cellValues(columns: Readonly<Record<string, CellKind>>, cells: Map<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const bad: { field: string; message: string; code: string }[] = []
  for (const [field, text] of cells) {
    const kind = columns[field]
    if (text === '') {
      if (kind === 'text' || kind === 'nullableObject') out[field] = null
      else if (kind === 'list') out[field] = []
      else if (kind === 'object') out[field] = {}
      continue
    }
    if (kind === 'text' || kind === 'given') out[field] = text
    else if (kind === 'integer') out[field] = /^\d{1,15}$/.test(text) ? Number(text) : text
    else if (kind === 'list' && !text.trimStart().startsWith('[')) out[field] = text.split(';').map((t) => t.trim()).filter((t) => t !== '')
    else {
      try {
        out[field] = JSON.parse(text) as unknown
      } catch {
        bad.push({ field, message: 'is not valid JSON', code: 'INVALID_JSON' })
      }
    }
  }
  if (bad.length > 0) throw new CrmError('CRM_ERR_VALIDATION', `Invalid input: ${bad.map((b) => b.field).join(', ')}`, bad)
  return out
}
