import type { Page } from '../db/paging.js'

export type Connection<T> = {
  edges: { cursor: string; node: T }[]
  pageInfo: { hasNextPage: boolean; endCursor: string | null }
  /** Counted only when the client asks for it. */
  totalCount: () => Promise<number>
}

export function toConnection<T>(page: Page<T>, totalCount: () => Promise<number>): Connection<T> {
  return {
    edges: page.rows.map((node, i) => ({ cursor: page.cursors[i], node })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
    totalCount
  }
}

/** Resolver for `totalCount` on every *Connection type: calls the thunk only when selected. */
export const totalCountResolver = { totalCount: (parent: Connection<unknown>) => parent.totalCount() }
