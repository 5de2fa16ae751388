import type { Readable } from 'node:stream'
import { parse as csvParser } from 'csv-parse'
import type { ImportFormat } from './import-source.js'

/**
 * An import body as records, numbered from 1 in the order they come (a CSV header is not
 * a record; blank lines are skipped and not counted). CSV gives text cells by column;
 * NDJSON gives one JSON object per line. A line that is not a record of its format is a
 * `bad` record: it is reported and the rest go on. What breaks the framing itself (an
 * unclosed quote in CSV, a body over the limit) ends the iteration with an error.
 */

export type SourceRecord =
  | { kind: 'cells'; row: number; cells: Map<string, string> }
  | { kind: 'json'; row: number; value: Record<string, unknown> }
  | { kind: 'bad'; row: number; code: string; message: string }

/** Checks the CSV header before any row is read (unknown columns refuse the whole file); returns the field each column sets. */
export type HeaderCheck = (columns: string[]) => string[]

/** One NDJSON line may be this long; a longer one is reported and skipped. */
export const MAX_LINE_CHARS = 1_048_576

export function records(text: Readable, format: ImportFormat, header: HeaderCheck): AsyncGenerator<SourceRecord> {
  return format === 'csv' ? csvRecords(text, header) : ndjsonRecords(text)
}

async function* csvRecords(text: Readable, header: HeaderCheck): AsyncGenerator<SourceRecord> {
  // Arrays, not objects: about a third cheaper per row; cells are matched to columns here.
  const parser = text.pipe(csvParser({ relax_column_count: true, skip_empty_lines: true, max_record_size: MAX_LINE_CHARS }))
  text.on('error', (err) => parser.destroy(err))
  let fields: string[] | null = null
  let row = 0
  for await (const cells of flowing<string[]>(parser)) {
    if (!fields) { fields = header(cells); continue }
    row++
    if (cells.length !== fields.length) {
      yield { kind: 'bad', row, code: 'COLUMN_COUNT', message: `has ${cells.length} cells, the header has ${fields.length} columns` }
      continue
    }
    const map = new Map<string, string>()
    for (let i = 0; i < fields.length; i++) map.set(fields[i], cells[i])
    yield { kind: 'cells', row, cells: map }
  }
}

async function* ndjsonRecords(text: Readable): AsyncGenerator<SourceRecord> {
  let row = 0
  let pending = ''
  let skipping = false
  const line = (raw: string): SourceRecord | null => {
    const body = raw.endsWith('\r') ? raw.slice(0, -1) : raw
    if (body.trim() === '') return null
    row++
    let value: unknown
    try {
      value = JSON.parse(body) as unknown
    } catch (err) {
      return { kind: 'bad', row, code: 'INVALID_JSON', message: `is not JSON: ${(err as Error).message}` }
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { kind: 'bad', row, code: 'INVALID', message: 'must be a JSON object' }
    }
    return { kind: 'json', row, value: value as Record<string, unknown> }
  }
  for await (const chunk of text as AsyncIterable<string>) {
    let start = 0
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, nl)
      start = nl + 1
      if (skipping) { skipping = false; pending = ''; continue }
      const record = line(pending + piece)
      pending = ''
      if (record) yield record
    }
    if (skipping) continue
    pending += chunk.slice(start)
    if (pending.length > MAX_LINE_CHARS) {
      skipping = true
      pending = ''
      yield { kind: 'bad', row: ++row, code: 'TOO_LONG', message: `is longer than ${MAX_LINE_CHARS} characters` }
    }
  }
  if (!skipping) {
    const record = line(pending)
    if (record) yield record
  }
}

/**
 * A stream's objects in order, then its error if it fails. Unlike the stream's own async
 * iterator, the records parsed before a failure (an unclosed quote found at the end) are
 * all given out first: the iterator would drop whatever it had buffered.
 */
async function* flowing<T>(stream: Readable): AsyncGenerator<T> {
  const queue: T[] = []
  let head = 0
  let failure: { error: unknown } | null = null
  let ended = false
  let wake: (() => void) | null = null
  const notify = () => { const w = wake; wake = null; w?.() }
  stream.on('data', (item: T) => {
    queue.push(item)
    // Backpressure: the parser waits while a few thousand records are unread.
    if (queue.length - head >= 4096) stream.pause()
    notify()
  })
  stream.on('error', (error) => { failure = { error }; notify() })
  stream.on('end', () => { ended = true; notify() })
  for (;;) {
    while (head < queue.length) {
      const item = queue[head]
      queue[head++] = undefined as T
      if (head === queue.length) { queue.length = 0; head = 0 }
      if (stream.isPaused() && queue.length - head < 1024) stream.resume()
      yield item
    }
    if (failure) throw (failure as { error: unknown }).error
    if (ended) return
    if (stream.isPaused()) stream.resume()
    await new Promise<void>((resolve) => { wake = resolve })
  }
}
