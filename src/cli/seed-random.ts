/**
 * Seeded randomness for the data seeder: the same seed gives the same data on every run,
 * machine and database. Each kind of row draws from its own stream (named by a label), so
 * how many rows go into a COPY chunk, or how many referrers were asked for, cannot shift
 * what the customers or orders look like.
 */
export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number

  /** A stream for `label` under `seed`: sfc32, its state spread from the pair by splitmix32. */
  constructor(seed: number, label: string) {
    let s = (seed ^ hashLabel(label)) >>> 0
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0
      let z = s
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      return (z ^ (z >>> 16)) >>> 0
    }
    this.a = next(); this.b = next(); this.c = next(); this.d = next()
    for (let i = 0; i < 12; i++) this.next()
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0
    this.d = (this.d + 1) >>> 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) >>> 0
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0
    this.c = (this.c + t) >>> 0
    return t / 4294967296
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  chance(p: number): boolean {
    return this.next() < p
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)]
  }

  /** Standard normal (Box-Muller; one value per call keeps the stream simple to follow). */
  normal(): number {
    const u = 1 - this.next()
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next())
  }

  /** `count` digits, leading zeros allowed. */
  digits(count: number): string {
    let out = ''
    for (let i = 0; i < count; i++) out += Math.floor(this.next() * 10)
    return out
  }
}

/** A list with relative weights, drawn from in O(log n). */
export class Weighted<T> {
  private readonly values: T[]
  private readonly cumulative: Float64Array

  constructor(entries: readonly (readonly [T, number])[]) {
    this.values = entries.map(([v]) => v)
    this.cumulative = new Float64Array(entries.length)
    let sum = 0
    entries.forEach(([, w], i) => { sum += w; this.cumulative[i] = sum })
  }

  draw(rng: Rng): T {
    const target = rng.next() * this.cumulative[this.cumulative.length - 1]
    let lo = 0
    let hi = this.cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.cumulative[mid] > target) hi = mid
      else lo = mid + 1
    }
    return this.values[lo]
  }
}

function hashLabel(label: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193)
  return h >>> 0
}
