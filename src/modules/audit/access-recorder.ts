import type { ActionContext } from '../../db/action.js'

/** Ids kept per entity type and entry: a page is at most 200 rows; a nested GraphQL page or an export is counted beyond this, not listed. */
export const MAX_IDS = 1000

/** What one entry says about one entity type. */
export type AccessRead = {
  entityType: string
  action: string
  ids: string[]
  rowCount: number
  fields: string[]
  filter: Record<string, unknown> | null
}

export type AccessSink = (who: ActionContext, reads: AccessRead[]) => Promise<void>

type Pending = { ids: Set<string>; counted: Set<string>; overflow: number; fields: Set<string> }

/**
 * The clear personal values one request handed out, collected as they are read (a
 * view's getter fires) and written as ONE insert (one row per entity type) before the
 * answer leaves: src/plugins/access-audit.ts. Never one row per record.
 */
export class AccessRecorder {
  private pending = new Map<string, Pending>()
  private readonly described = new Map<string, { action: string; filter: Record<string, unknown> | null }>()

  constructor(private readonly who: ActionContext, private readonly sink: AccessSink) {}

  /** A clear `field` of record `id` was handed to the caller. */
  read(entityType: string, id: string, field: string): void {
    let p = this.pending.get(entityType)
    if (!p) this.pending.set(entityType, (p = { ids: new Set(), counted: new Set(), overflow: 0, fields: new Set() }))
    p.fields.add(field)
    if (p.ids.has(id)) return
    if (p.ids.size < MAX_IDS) p.ids.add(id)
    // Beyond the bound only the count grows; a record read twice past it may be counted twice.
    else if (!p.counted.has(id)) { p.overflow++; if (p.counted.size < 10 * MAX_IDS) p.counted.add(id) }
  }

  /** An export (or another bulk read) of `entityType`: its action and filter (personal values already redacted). */
  describe(entityType: string, action: string, filter: Record<string, unknown> | null): void {
    this.described.set(entityType, { action, filter })
  }

  get empty(): boolean {
    return this.pending.size === 0
  }

  /** Writes what was read since the last flush (nothing if nothing was) and starts afresh. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return
    const reads = [...this.pending].map(([entityType, p]): AccessRead => {
      const d = this.described.get(entityType)
      return {
        entityType, action: d?.action ?? `${entityType}.read`, ids: [...p.ids], rowCount: p.ids.size + p.overflow,
        fields: [...p.fields].sort(), filter: d?.filter ?? null
      }
    })
    this.pending = new Map()
    await this.sink(this.who, reads)
  }
}
