import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

/** A message literal found in the source: its text with each `${…}` as `{}`, and where. */
export type FoundMessage = { text: string; at: string }

// Where a literal is a message a client reads: invalid(field, MSG), new CrmError(CODE, MSG),
// forbidden(MSG), notFound(ENTITY), { message: MSG } in field errors, { reason: MSG } in src/rules/contact.
const STARTS = [
  /\binvalid\(\s*(?:'[^']*'|`[^`]*`|\w+)\s*,\s*/g,
  /\bnew CrmError\(\s*(?:'[A-Z_]+'|\w+)\s*,\s*/g,
  /\b(?:forbidden|notFound)\(\s*/g,
  /\bmessage:\s*/g
]

/** Every literal message in the .ts files under `dirs` (paths relative to `root`). */
export function scanMessages(root: string, dirs: string[]): FoundMessage[] {
  const found: FoundMessage[] = []
  for (const dir of dirs) {
    for (const file of tsFiles(join(root, dir))) {
      const text = readFileSync(file, 'utf8')
      const starts = file.endsWith(join('rules', 'contact.ts')) || file.endsWith(join('rules', 'referral-code.ts')) ? [...STARTS, /\breason:\s*/g] : STARTS
      for (const re of starts) {
        for (const m of text.matchAll(re)) {
          const literal = readLiteral(text, m.index + m[0].length)
          if (literal !== null) found.push({ text: literal, at: `${relative(root, file)}:${text.slice(0, m.index).split('\n').length}` })
        }
      }
    }
  }
  return found
}

function tsFiles(dir: string): string[] {
  if (!statSync(dir).isDirectory()) return [dir]
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : []
  })
}

/** The string literal starting at `i` ('…', "…" or `…` with `${…}` as `{}`), or null if none starts there. */
function readLiteral(text: string, i: number): string | null {
  const quote = text[i]
  if (quote !== "'" && quote !== '"' && quote !== '`') return null
  let out = ''
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j]
    if (c === '\\') { out += text[++j]; continue }
    if (c === quote) return out
    if (quote === '`' && c === '$' && text[j + 1] === '{') {
      // Skip the expression, nested braces and template literals included.
      let depth = 0
      for (j++; j < text.length; j++) {
        if (text[j] === '{') depth++
        else if (text[j] === '}' && --depth === 0) break
        else if (text[j] === '`') { j = skipTemplate(text, j) }
      }
      out += '{}'
      continue
    }
    out += c
  }
  return null
}

function skipTemplate(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++
    else if (text[j] === '`') return j
    else if (text[j] === '$' && text[j + 1] === '{') {
      let depth = 0
      for (j++; j < text.length; j++) {
        if (text[j] === '{') depth++
        else if (text[j] === '}' && --depth === 0) break
        else if (text[j] === '`') j = skipTemplate(text, j)
      }
    }
  }
  return text.length
}
