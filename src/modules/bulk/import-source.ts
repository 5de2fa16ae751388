import { Transform, type Readable, type TransformCallback } from 'node:stream'
import { StringDecoder } from 'node:string_decoder'
import iconv from 'iconv-lite'
import { CrmError } from '../../errors.js'

/**
 * What an import body is and how it is encoded: the format from the Content-Type (or
 * `?format=`), the character set from its `charset` parameter (or `?encoding=`). UTF-8
 * by default, with or without a BOM; GBK (read as GB18030, its superset) on request.
 */

export type ImportFormat = 'csv' | 'ndjson'
export type ImportEncoding = 'utf-8' | 'gbk'

const FORMATS: Record<string, ImportFormat> = {
  'text/csv': 'csv', 'application/csv': 'csv',
  'application/x-ndjson': 'ndjson', 'application/ndjson': 'ndjson', 'application/jsonl': 'ndjson', 'application/x-jsonlines': 'ndjson'
}
const ENCODINGS: Record<string, ImportEncoding> = {
  'utf-8': 'utf-8', utf8: 'utf-8', gbk: 'gbk', gb2312: 'gbk', gb18030: 'gbk', cp936: 'gbk'
}

/** The media types the import routes accept (the content-type parser is registered for these). */
export const importMediaTypes = Object.keys(FORMATS)

const unsupported = (message: string) => new CrmError('CRM_ERR_UNSUPPORTED_MEDIA_TYPE', message)

/** The format and encoding of a body; an explicit query value wins over the header. */
export function describeBody(contentType: string | undefined, query: { format?: string; encoding?: string }): { format: ImportFormat; encoding: ImportEncoding } {
  const [type = '', ...params] = (contentType ?? '').split(';').map((p) => p.trim().toLowerCase())
  const format = query.format ? (query.format as ImportFormat) : FORMATS[type]
  if (!format) throw unsupported(`Send text/csv or application/x-ndjson (got ${type || 'no Content-Type'})`)
  const charset = params.find((p) => p.startsWith('charset='))?.slice(8).replace(/"/g, '')
  return { format, encoding: encodingOf(query.encoding ?? charset) }
}

/** `utf-8` when unnamed; GBK and its aliases; anything else is refused before reading. */
export function encodingOf(name: string | undefined): ImportEncoding {
  if (name === undefined || name === '') return 'utf-8'
  const encoding = ENCODINGS[name.toLowerCase()]
  if (!encoding) throw unsupported(`Character set ${name} is not supported: use UTF-8 or GBK`)
  return encoding
}

/** Raised inside the stream when the body outgrows the limit; the import stops there. */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) { super(`The body is larger than ${limit} bytes`) }
}

/** Counts bytes through; past `limit` the stream fails with BodyTooLarge. */
function byteLimit(limit: number): Transform {
  let seen = 0
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      seen += chunk.length
      if (seen > limit) done(new BodyTooLarge(limit))
      else done(null, chunk)
    }
  })
}

/**
 * The body as text chunks, decoded, the BOM removed. UTF-8 is decoded strictly enough
 * to keep multi-byte characters split across chunks whole (setEncoding's decoder).
 */
export function decodedText(body: Readable, encoding: ImportEncoding, limit: number): Readable {
  const limited = body.pipe(byteLimit(limit))
  body.on('error', (err) => limited.destroy(err))
  // iconv-lite types its decoder as a bare ReadWriteStream; it is a stream.Transform.
  const decoded: Readable = encoding === 'gbk'
    ? limited.pipe(iconv.decodeStream('gb18030', { stripBOM: true }) as unknown as Transform)
    : limited.pipe(new Utf8Text())
  limited.on('error', (err) => decoded.destroy(err))
  return decoded
}

/** UTF-8 to text, keeping a character split across chunks whole, without a leading BOM. */
class Utf8Text extends Transform {
  private readonly decoder = new StringDecoder('utf8')
  private first = true
  constructor() { super({ readableObjectMode: true }) }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.emitText(this.decoder.write(chunk))
    done()
  }

  override _flush(done: TransformCallback): void {
    this.emitText(this.decoder.end())
    done()
  }

  private emitText(text: string): void {
    if (this.first && text.length > 0) {
      this.first = false
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    if (text.length > 0) this.push(text)
  }
}
