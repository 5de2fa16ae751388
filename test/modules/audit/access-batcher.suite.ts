import t from 'tap'
import fc from 'fast-check'
import { AccessBatcher } from '../../../src/modules/audit/access-batcher.js'

/** Group commit of access entries (src/modules/audit/access-batcher.ts), without a database. */
await t.test('access batcher', async (t) => {
  await t.test('a lone request is written at once, alone', async (t) => {
    const writes: unknown[][] = []
    const b = new AccessBatcher(async (rows) => { writes.push(rows) })
    await b.add([{ id: 1 }])
    await b.add([{ id: 2 }])
    t.same(writes, [[{ id: 1 }], [{ id: 2 }]])
  })

  await t.test('requests arriving during a write share the next write, and each waits for its own', async (t) => {
    const writes: unknown[][] = []
    let release!: () => void
    const first = new Promise<void>((r) => { release = r })
    const b = new AccessBatcher(async (rows) => { writes.push(rows); if (writes.length === 1) await first })
    const settled: number[] = []
    const p1 = b.add([{ id: 1 }]).then(() => settled.push(1))
    const later = [2, 3, 4].map((id) => b.add([{ id }]).then(() => settled.push(id)))
    await new Promise((r) => setImmediate(r))
    t.same(settled, [], 'nobody answered before the first commit')
    release()
    await Promise.all([p1, ...later])
    t.same(writes, [[{ id: 1 }], [{ id: 2 }, { id: 3 }, { id: 4 }]], 'three requests, one statement')
    t.same(settled.sort(), [1, 2, 3, 4])
  })

  await t.test('a failed write fails every request in it, and the next batch still goes', async (t) => {
    let calls = 0
    let release!: () => void
    const first = new Promise<void>((r) => { release = r })
    const b = new AccessBatcher(async () => { calls++; if (calls === 1) await first; if (calls === 2) throw new Error('disk full') })
    const p1 = b.add([{ id: 1 }])
    const p2 = b.add([{ id: 2 }])
    const p3 = b.add([{ id: 3 }])
    release()
    await p1
    await t.rejects(p2, /disk full/)
    await t.rejects(p3, /disk full/)
    await b.add([{ id: 4 }])
    t.equal(calls, 3)
  })

  await t.test('property: every row is written exactly once, batches stay within the bound', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 50 }), async (sizes, max) => {
      const written: number[] = []
      const batches: number[] = []
      const b = new AccessBatcher(async (rows) => { batches.push(rows.length); await new Promise((r) => setImmediate(r)); written.push(...rows.map((r) => r.n as number)) }, max)
      let n = 0
      await Promise.all(sizes.map((size) => b.add(Array.from({ length: size }, () => ({ n: n++ })))))
      if (written.length !== n || new Set(written).size !== n) throw new Error(`written ${written.length} of ${n}`)
      // A request's rows are never split; a batch goes past the bound only when one request alone does.
      for (const size of batches) if (size > max && !sizes.includes(size)) throw new Error(`batch of ${size} > ${max}`)
    }), { numRuns: 200 })
  })
})
