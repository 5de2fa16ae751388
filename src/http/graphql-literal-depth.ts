/**
 * The argument path of the first inline value in a GraphQL document nested deeper than
 * `maxDepth` objects and lists (`createCustomer.input.attributes`), or null. A linear
 * scan of the text, before graphql-js parses it: its recursive parser overflows the call
 * stack on a literal nested a few thousand levels deep. Selection sets do not count (the
 * query depth limit governs them); only brackets inside an argument list do.
 */
export function deepLiteral(query: string, maxDepth: number): string | null {
  // One entry per open bracket: which bracket, and the name it belongs to.
  const open: { bracket: string; name: string | null }[] = []
  let lastName: string | null = null
  let pendingKey: string | null = null
  let literalDepth = 0
  let argumentLists = 0
  for (let i = 0; i < query.length; i++) {
    const c = query[i]
    if (c === '#') {
      while (i < query.length && query[i] !== '\n' && query[i] !== '\r') i++
    } else if (c === '"') {
      i = skipString(query, i)
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i
      while (j + 1 < query.length && /\w/.test(query[j + 1])) j++
      lastName = query.slice(i, j + 1)
      i = j
    } else if (c === ':') {
      pendingKey = lastName
    } else if (c === '(' || c === '{' || c === '[') {
      const inArguments = argumentLists > 0
      if (c === '(') argumentLists++
      const name = c === '(' ? lastName : inArguments ? pendingKey : lastName
      open.push({ bracket: c, name })
      if (inArguments && c !== '(' && ++literalDepth > maxDepth) return pathOf(open)
      pendingKey = null
    } else if (c === ')' || c === '}' || c === ']') {
      const closed = open.pop()
      if (closed?.bracket === '(') argumentLists--
      else if (closed && argumentLists > 0) literalDepth--
    }
  }
  return null
}

function skipString(query: string, start: number): number {
  if (query.startsWith('"""', start)) {
    const end = query.indexOf('"""', start + 3)
    return end < 0 ? query.length : end + 2
  }
  for (let i = start + 1; i < query.length; i++) {
    if (query[i] === '\\') i++
    else if (query[i] === '"' || query[i] === '\n') return i
  }
  return query.length
}

// The field whose arguments hold the value, then the keys down to it: the first three names.
function pathOf(open: { bracket: string; name: string | null }[]): string {
  const from = open.map((o) => o.bracket).lastIndexOf('(')
  const names = open.slice(from).map((o) => o.name).filter((n): n is string => n !== null)
  return names.slice(0, 3).join('.')
}
