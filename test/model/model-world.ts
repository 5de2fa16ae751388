import type { TestApp } from '../helper.js'

/**
 * The real side of the model test: the running app, the callers (one token per role) and
 * the plumbing every command shares: GraphQL with arguments inline or as variables, REST,
 * and the answer folded into one Outcome. Any INTERNAL or 5xx fails at once.
 */
export type RoleName = 'admin' | 'manager' | 'salesA1' | 'salesA2' | 'salesB1' | 'marketing' | 'service' | 'integration'
export const staffRoles: RoleName[] = ['admin', 'manager', 'salesA1', 'salesA2', 'salesB1', 'marketing', 'service', 'integration']

export type Caller = { name: RoleName | `referrer:${string}`; role: string; userId: string | null; teamId: string | null; token: string }

/** ok: committed (data is the payload / body); refused: the code a client sees. */
export type Outcome =
  | { kind: 'ok'; data: any; status: number }
  | { kind: 'refused'; code: string; status: number; detail: string }

/** An enum value, written bare when the argument is inline. */
export class Enum { constructor(readonly value: string) {} toJSON() { return this.value } }
export const E = (v: string) => new Enum(v)
/** A JSON-typed value (written as a GraphQL object literal when inline). */
export class Json { constructor(readonly value: unknown) {} toJSON() { return this.value } }

export type Arg = { type: string; value: unknown }

export class ModelFailure extends Error {}

export class World {
  commands = 0
  callers = new Map<string, Caller>()
  constructor(readonly ctx: TestApp) {}

  caller(name: string): Caller {
    const c = this.callers.get(name)
    if (!c) throw new Error(`no caller ${name}`)
    return c
  }

  /**
   * One GraphQL operation `field(args) { selection }`; `inline` writes the arguments into the
   * query text. Returns the field's value (mutation payload or query result) as an Outcome.
   */
  async gql(caller: Caller, op: 'query' | 'mutation', field: string, args: Record<string, Arg>, selection: string, inline: boolean): Promise<Outcome> {
    const names = Object.keys(args).filter((k) => args[k].value !== undefined)
    const asVars = !inline
    const argText = names.map((k) => `${k}: ${asVars ? `$${k}` : literal(args[k].value)}`).join(', ')
    const header = asVars && names.length ? `(${names.map((k) => `$${k}: ${args[k].type}`).join(', ')})` : ''
    const query = `${op} M${header} { ${field}${argText ? `(${argText})` : ''} ${selection} }`
    const variables = asVars ? Object.fromEntries(names.map((k) => [k, JSON.parse(JSON.stringify(args[k].value))])) : undefined
    const res = await this.ctx.gql(caller.token, query, variables)
    const errors = res.errors ?? []
    const where = `${caller.name} ${field} ${asVars ? 'vars' : 'inline'}`
    if (res.status >= 500 || errors.some((e) => e.extensions?.code === 'INTERNAL')) {
      throw new ModelFailure(`${where}: INTERNAL/5xx: ${JSON.stringify(res).slice(0, 800)}\nquery: ${query}\nvariables: ${JSON.stringify(variables)}`)
    }
    if (errors.length) {
      return { kind: 'refused', code: errors[0].extensions?.code ?? 'GRAPHQL', status: res.status, detail: `${where}: ${errors[0].message}` }
    }
    const value = res.data?.[field]
    const userErrors: { code: string; message: string; field: string }[] | undefined = value?.userErrors
    if (userErrors?.length) return { kind: 'refused', code: userErrors[0].code, status: res.status, detail: `${where}: ${JSON.stringify(userErrors)}` }
    return { kind: 'ok', data: value, status: res.status }
  }

  async rest(caller: Caller, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Outcome> {
    const res = await this.ctx.rest(caller.token, method, url, body, headers)
    const where = `${caller.name} ${method} ${url}`
    if (res.statusCode >= 500) throw new ModelFailure(`${where}: HTTP ${res.statusCode}: ${res.body.slice(0, 800)}\nbody: ${JSON.stringify(body)}`)
    if (res.statusCode >= 400) {
      let code = String(res.statusCode)
      try { code = res.json().code ?? code } catch { /* not JSON */ }
      return { kind: 'refused', code: restCode(res.statusCode, code), status: res.statusCode, detail: `${where}: ${res.statusCode} ${res.body.slice(0, 400)}` }
    }
    return { kind: 'ok', data: res.body ? safeJson(res.body) : null, status: res.statusCode }
  }

  sql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
    return this.ctx.sql<T>(text, params)
  }
}

/** REST problem codes by status, in the GraphQL spelling the model compares. */
function restCode(status: number, code: string): string {
  if (status === 403) return 'FORBIDDEN'
  if (status === 404) return 'NOT_FOUND'
  if (status === 401) return 'UNAUTHENTICATED'
  return code
}

function safeJson(text: string): unknown {
  try { return JSON.parse(text) } catch { return text }
}


/** A GraphQL literal of a value (strings JSON-quoted, which GraphQL reads the same). */
export function literal(v: unknown): string {
  if (v instanceof Enum) return v.value
  if (v instanceof Json) return literal(v.value)
  if (v === null) return 'null'
  if (Array.isArray(v)) return `[${v.map(literal).join(', ')}]`
  if (typeof v === 'object') return `{${Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).map(([k, x]) => `${k}: ${literal(x)}`).join(', ')}}`
  return JSON.stringify(v)
}
