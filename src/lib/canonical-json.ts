/**
 * JSON with every object's keys sorted, recursively: two bodies that mean the same
 * (`{"a":1,"b":2}` and `{"b":2,"a":1}`) give the same text, so they hash the same.
 * Arrays keep their order (it carries meaning); `undefined` members are dropped as
 * JSON.stringify drops them. Written out directly rather than through a rebuilt object,
 * so a `__proto__` key from JSON.parse stays an ordinary member.
 */
export function canonicalJson(value: unknown): string {
  return write(value) ?? 'null'
}

function write(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  // Dates, Buffers and the like serialise through their own toJSON.
  const withJson = value as { toJSON?: () => unknown }
  if (typeof withJson.toJSON === 'function') return write(withJson.toJSON())
  if (Array.isArray(value)) return `[${value.map((v) => write(v) ?? 'null').join(',')}]`
  const members: string[] = []
  for (const key of Object.keys(value).sort()) {
    const member = write((value as Record<string, unknown>)[key])
    if (member !== undefined) members.push(`${JSON.stringify(key)}:${member}`)
  }
  return `{${members.join(',')}}`
}
