/**
 * The path to the first value nested deeper than `maxDepth` objects and arrays, or null.
 * Iterative, so a body nested 100,000 levels deep is refused, not a stack overflow; it
 * stops at the first offender, so it costs no more than the part of the value it read.
 */
export function tooDeep(value: unknown, maxDepth: number): string[] | null {
  if (value === null || typeof value !== 'object') return null
  // Containers still to look at: the key that led to each, its depth, and its parent's entry in `seen`.
  const stack: { value: object; key: string | null; depth: number; parent: number }[] = [{ value, key: null, depth: 1, parent: -1 }]
  const seen: { key: string | null; parent: number }[] = []
  while (stack.length > 0) {
    const node = stack.pop()!
    const index = seen.push({ key: node.key, parent: node.parent }) - 1
    if (node.depth > maxDepth) return pathOf(seen, index)
    const entries: [string, unknown][] = Array.isArray(node.value)
      ? node.value.map((v, i) => [String(i), v])
      : Object.entries(node.value)
    for (const [key, child] of entries) {
      if (child !== null && typeof child === 'object') stack.push({ value: child, key, depth: node.depth + 1, parent: index })
    }
  }
  return null
}

function pathOf(seen: { key: string | null; parent: number }[], index: number): string[] {
  const path: string[] = []
  for (let i = index; i >= 0; i = seen[i].parent) if (seen[i].key !== null) path.unshift(seen[i].key as string)
  return path
}
