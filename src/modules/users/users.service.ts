import { and, asc, eq, getTableColumns, ilike, inArray, isNull, or, sql, type SQL } from 'drizzle-orm'
import { runAction } from '../../db/action.js'
import { countWhere, selectPage } from '../../db/list-queries.js'
import { Keyset, type PageRequest } from '../../db/paging.js'
import { prepared } from '../../db/prepared.js'
import { apiKeys } from '../../db/schema/api-keys.js'
import { teams } from '../../db/schema/teams.js'
import { users } from '../../db/schema/users.js'
import { invalid, notFound, staleVersion } from '../../errors.js'
import { actionContext, type Actor } from '../auth/actor.js'
import { generateApiKey, hashApiKey, keyPrefix } from '../auth/api-key-secret.js'
import { authorize, canReadPii } from '../auth/permissions.js'
import { maskEmail } from '../../rules/contact.js'
import { assertMaySearchBy } from '../common/personal-search.js'
import { recordOnRead } from '../audit/access-reads.js'
import { changedFields } from '../common/changes.js'
import { asTaken } from '../common/unique.js'
import { isUuid, parse } from '../common/validate.js'
import { escapeLike } from '../common/like.js'
import type { ServiceDeps } from '../service-deps.js'
import { ApiKeyCreate, TeamCreate, UserCreate, UserFilter, UserUpdate } from './users.schemas.js'

export type User = typeof users.$inferSelect
export type Team = typeof teams.$inferSelect
export type ApiKey = Omit<typeof apiKeys.$inferSelect, 'secretHash'>

const { secretHash: _omit, ...apiKeyColumns } = getTableColumns(apiKeys)

/** Staff users, teams and API keys: who can act, and as what. */
export class UsersService {
  constructor(private readonly deps: ServiceDeps) {}

  /** Batched read for loaders: users by id (deleted ones too, as history names them), in the order asked. */
  async findMany(actor: Actor, ids: readonly string[]): Promise<(User | null)[]> {
    authorize(actor, 'users', 'read')
    const valid = ids.filter(isUuid)
    // `= any($1)` as a named prepared statement: one SQL text and one plan whatever the batch size.
    const rows = valid.length ? await prepared(this.deps.db, 'users_by_ids', (name) => this.deps.db.select().from(users)
      .where(sql`${users.id} = any(${sql.placeholder('ids')}::uuid[])`).prepare(name)).execute({ ids: valid }) : []
    const byId = new Map(rows.map((r) => [r.id, this.view(actor, r)]))
    return ids.map((id) => byId.get(id) ?? null)
  }

  /**
   * A user as handed out. Other staff members' emails are personal data: masked for roles that
   * may not read it in clear (one's own stays clear); where clear, noted by the access audit
   * when an answer takes it.
   */
  private view<T extends User>(actor: Actor, user: T): T {
    if (!user.email) return user
    if (canReadPii(actor)) return recordOnRead(actor, 'user', user, ['email'])
    return user.id === actor.userId ? user : { ...user, email: maskEmail(user.email) }
  }

  async get(actor: Actor, id: string): Promise<User> {
    const [user] = await this.findMany(actor, [id])
    if (!user || user.deletedAt) throw notFound('User', id)
    return user
  }

  async list(actor: Actor, filter: unknown, page: PageRequest) {
    authorize(actor, 'users', 'read')
    const f = parse(UserFilter, filter ?? {})
    const where: SQL[] = [isNull(users.deletedAt)]
    if (f.role) where.push(eq(users.role, f.role))
    if (f.teamId) where.push(eq(users.teamId, f.teamId))
    if (f.active !== undefined) where.push(eq(users.active, f.active))
    assertMaySearchBy(actor, f.search)
    // Matching parts of emails would spell them out to a role that sees them masked: names only.
    if (f.search) {
      const like = `%${escapeLike(f.search)}%`
      where.push(canReadPii(actor) ? or(ilike(users.name, like), ilike(users.email, like))! : ilike(users.name, like))
    }
    const keyset = new Keyset('createdAt', users.createdAt, users.id, 'ASC', page)
    const rows = (await selectPage(this.deps.db, users, getTableColumns(users), where, keyset)).map((r) => this.view(actor, r))
    return { ...keyset.page(rows), count: () => countWhere(this.deps.db, users, where) }
  }

  /** Members of the given teams, for Team.members. */
  async membersOf(actor: Actor, teamIds: readonly string[]): Promise<User[][]> {
    authorize(actor, 'users', 'read')
    const rows = teamIds.length ? await this.deps.db.select().from(users)
      .where(and(inArray(users.teamId, [...teamIds]), isNull(users.deletedAt))).orderBy(asc(users.name)) : []
    return teamIds.map((t) => rows.filter((u) => u.teamId === t).map((u) => this.view(actor, u)))
  }

  async create(actor: Actor, input: unknown): Promise<User> {
    authorize(actor, 'users', 'write')
    const data = parse(UserCreate, input)
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit }) => {
      try {
        const [user] = await tx.insert(users).values({ ...data, email: data.email?.trim().toLowerCase() ?? null }).returning()
        audit({ action: 'user.created', entityType: 'user', entityId: user.id, changes: { name: user.name, role: user.role, teamId: user.teamId } })
        return user
      } catch (err) { throw asTaken(err, 'user') }
    })
  }

  async update(actor: Actor, id: string, input: unknown): Promise<User> {
    authorize(actor, 'users', 'write')
    const { expectedVersion, ...data } = parse(UserUpdate, input)
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit }) => {
      const [before] = isUuid(id) ? await tx.select().from(users).where(and(eq(users.id, id), isNull(users.deletedAt))).for('update') : []
      if (!before) throw notFound('User', id)
      if (expectedVersion !== undefined && expectedVersion !== before.version) throw staleVersion('User', expectedVersion, before.version)
      try {
        const [after] = await tx.update(users).set({ ...data, ...(data.email ? { email: data.email.trim().toLowerCase() } : {}), version: sql`${users.version} + 1`, updatedAt: new Date() })
          .where(eq(users.id, id)).returning()
        audit({ action: 'user.updated', entityType: 'user', entityId: id, changes: changedFields(before, after, ['name', 'email', 'role', 'teamId', 'active', 'externalId']) })
        return after
      } catch (err) { throw asTaken(err, 'user') }
    })
  }

  async teamsByIds(actor: Actor, ids: readonly string[]): Promise<(Team | null)[]> {
    authorize(actor, 'teams', 'read')
    const valid = ids.filter(isUuid)
    const rows = valid.length ? await this.deps.db.select().from(teams).where(inArray(teams.id, valid)) : []
    return ids.map((id) => rows.find((t) => t.id === id) ?? null)
  }

  async listTeams(actor: Actor): Promise<Team[]> {
    authorize(actor, 'teams', 'read')
    return this.deps.db.select().from(teams).where(isNull(teams.deletedAt)).orderBy(asc(teams.name))
  }

  async createTeam(actor: Actor, input: unknown): Promise<Team> {
    authorize(actor, 'teams', 'write')
    const data = parse(TeamCreate, input)
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit }) => {
      try {
        const [team] = await tx.insert(teams).values(data).returning()
        audit({ action: 'team.created', entityType: 'team', entityId: team.id, changes: { name: team.name } })
        return team
      } catch (err) { throw asTaken(err, 'team') }
    })
  }

  async listApiKeys(actor: Actor): Promise<ApiKey[]> {
    authorize(actor, 'apiKeys', 'read')
    return this.deps.db.select(apiKeyColumns).from(apiKeys).orderBy(asc(apiKeys.createdAt))
  }

  /** Creates a key; the secret is in the answer once and never stored in clear. */
  async createApiKey(actor: Actor, input: unknown): Promise<{ apiKey: ApiKey; secret: string }> {
    authorize(actor, 'apiKeys', 'write')
    const data = parse(ApiKeyCreate, input)
    if (['sales', 'marketing'].includes(data.role) && !data.userId) {
      throw invalid('userId', `a ${data.role} key must belong to a user: its records are owned by that user`, 'REQUIRED')
    }
    if (data.expiresAt && new Date(data.expiresAt) <= new Date()) throw invalid('expiresAt', 'must be in the future', 'IN_THE_PAST')
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit }) => {
      if (data.userId) {
        const [user] = await tx.select({ role: users.role }).from(users).where(and(eq(users.id, data.userId), isNull(users.deletedAt)))
        if (!user) throw invalid('userId', 'is not a known user', 'UNKNOWN_USER')
      }
      const secret = generateApiKey()
      const [row] = await tx.insert(apiKeys).values({
        name: data.name, role: data.role, userId: data.userId ?? null, readOnly: data.readOnly ?? false,
        entities: data.entities ?? null, expiresAt: data.expiresAt ? new Date(data.expiresAt) : null,
        prefix: keyPrefix(secret), secretHash: hashApiKey(secret), createdById: actor.userId
      }).returning(apiKeyColumns)
      audit({ action: 'api_key.created', entityType: 'api_key', entityId: row.id, changes: { name: row.name, role: row.role, userId: row.userId, readOnly: row.readOnly, entities: row.entities } })
      return { apiKey: row, secret }
    })
  }

  /** Revocation takes effect for new tokens at once and for issued tokens within 30 s. */
  async revokeApiKey(actor: Actor, id: string): Promise<ApiKey> {
    authorize(actor, 'apiKeys', 'write')
    return runAction(this.deps.db, actionContext(actor), async ({ tx, audit }) => {
      const [row] = isUuid(id) ? await tx.update(apiKeys).set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
        .where(eq(apiKeys.id, id)).returning(apiKeyColumns) : []
      if (!row) throw notFound('API key', id)
      audit({ action: 'api_key.revoked', entityType: 'api_key', entityId: id })
      return row
    })
  }
}
