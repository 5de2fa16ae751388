import { MAX_PAGE_SIZE, type PageRequest } from '../../db/paging.js'

/** A list method of a service: one keyset page of what the actor may see, filter and order as the list endpoint takes them. */
export type PageOf<Row, Order> = (filter: unknown, order: Order, page: PageRequest) => Promise<{ rows: Row[]; hasNextPage: boolean; endCursor: string | null }>

/**
 * Every row of a list, read in keyset pages of the largest size (never all in memory):
 * the service's own list, so the same filters, reach and masking apply as on the list
 * endpoint. The first page is read on the call, so an error (a bad filter, FORBIDDEN)
 * surfaces before a response starts; the rest as the consumer pulls.
 */
export async function exportRows<Row, Order>(list: PageOf<Row, Order>, filter: unknown, order: Order, decorate?: (rows: Row[]) => Promise<unknown[]>): Promise<AsyncGenerator<unknown>> {
  const first = await list(filter, order, { first: MAX_PAGE_SIZE })
  const firstRows = decorate ? await decorate(first.rows) : first.rows
  async function* rest(): AsyncGenerator<unknown> {
    yield* firstRows
    let page = first
    while (page.hasNextPage) {
      page = await list(filter, order, { first: MAX_PAGE_SIZE, after: page.endCursor })
      yield* decorate ? await decorate(page.rows) : page.rows
    }
  }
  return rest()
}

/** NDJSON text, a few hundred rows per chunk handed to the socket rather than one write per row. */
export async function* ndjson(rows: AsyncIterable<unknown>): AsyncGenerator<string> {
  let buffer = ''
  for await (const row of rows) {
    buffer += `${JSON.stringify(row)}\n`
    if (buffer.length >= 65_536) { yield buffer; buffer = '' }
  }
  if (buffer) yield buffer
}
