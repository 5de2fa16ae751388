import type { CopyTarget } from './seed-copy.js'

/** Chunked COPY loops shared by the seeder's phases. */

export type Copier = Parameters<Parameters<CopyTarget['transaction']>[0]>[0]

/** Copies `total` rows in chunks of `batch`, one transaction each, logging progress; returns seconds. */
export async function chunked(
  target: CopyTarget, what: string, total: number, batch: number, log: (line: string) => void,
  chunk: (copy: Copier, from: number, to: number) => Promise<unknown>
): Promise<number> {
  const started = performance.now()
  for (let from = 0; from < total; from += batch) {
    const to = Math.min(total, from + batch)
    await target.transaction((copy) => chunk(copy, from, to))
    const seconds = (performance.now() - started) / 1000
    log(`${what} ${to}/${total} (${Math.round(to / seconds)} rows/s, rss ${Math.round(process.memoryUsage.rss() / 1_048_576)} MB)`)
  }
  return (performance.now() - started) / 1000
}

/** The next `count` items, leaving the rest in the iterator (never pulling one too many). */
export function* take<T>(source: Iterator<T>, count: number): Generator<T> {
  for (let i = 0; i < count; i++) {
    const next = source.next()
    if (next.done) return
    yield next.value
  }
}

export async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now()
  await work()
  return (performance.now() - started) / 1000
}
