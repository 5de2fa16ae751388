/**
 * JSON with every object's keys sorted, recursively: two bodies that mean the same
 * (`{"a":1,"b":2}` and `{"b":2,"a":1}`) give the same text, so they hash the same.
 * Arrays keep their order (it carries meaning); `undefined` members are dropped as
 * JSON.stringify drops them. Written out directly rather than through a rebuilt object,
 * so a `__proto__` key from JSON.parse stays an ordinary member. Iterative (an explicit
 * stack, not recursion): no input, however deeply nested, can overflow the call stack.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = []
  // Work items: a value to write, or literal text (a separator or closing bracket).
  const work: ({ text: string } | { value: unknown; member?: string; arrayItem?: boolean })[] = [{ value }]
  while (work.length > 0) {
    const item = work.pop()!
    if ('text' in item) {
      out.push(item.text)
      continue
    }
    let v = item.value
    // Dates, Buffers and the like serialise through their own toJSON.
    while (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON: () => unknown }).toJSON()
    if (v === null || typeof v !== 'object') {
      const text = JSON.stringify(v) as string | undefined
      // An undefined member is dropped; an undefined array item or top value is null.
      if (text === undefined && item.member !== undefined) continue
      out.push(item.member ?? '', text ?? 'null')
      continue
    }
    out.push(item.member ?? '')
    const children: typeof work = []
    if (Array.isArray(v)) {
      v.forEach((child, i) => { if (i > 0) children.push({ text: ',' }); children.push({ value: child, arrayItem: true }) })
      children.unshift({ text: '[' })
      children.push({ text: ']' })
    } else {
      const record = v as Record<string, unknown>
      const keys = Object.keys(record).filter((k) => isWritten(record[k])).sort()
      keys.forEach((k, i) => children.push({ value: record[k], member: `${i > 0 ? ',' : ''}${JSON.stringify(k)}:` }))
      children.unshift({ text: '{' })
      children.push({ text: '}' })
    }
    for (let i = children.length - 1; i >= 0; i--) work.push(children[i])
  }
  return out.join('') || 'null'
}

// JSON.stringify drops members whose value (after toJSON) is undefined, a function or a symbol.
function isWritten(value: unknown): boolean {
  let v = value
  while (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON: () => unknown }).toJSON()
  return v !== undefined && typeof v !== 'function' && typeof v !== 'symbol'
}
