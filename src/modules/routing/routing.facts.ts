import { sql, type Placeholder, type SQL } from 'drizzle-orm'
import type { Executor } from '../../db/client.js'
import { statement } from '../../db/statement.js'
import type { FollowUpPolicy } from '../../rules/follow-up.js'
import { leadOwnerRoles, type AssignmentRule, type StaffUser } from '../../rules/lead-assignment.js'

/**
 * What routing reads to place a lead: the active rules (in the order they are tried), the
 * staff it may choose, the referrer's relationship owner (active or not: an inactive
 * one's team is still the fallback), and the active follow-up policies of the lead's
 * source and the `*` default. Every new lead needs all four inside its transaction, so
 * they are ONE statement of fixed text (docs/performance.md), or four columns of a
 * caller's statement that reads other things too (`routingFactsColumns`).
 */
export type RoutingFacts = {
  rules: AssignmentRule[]
  /**
   * The eligible staff a decision can reach: the active rules' users and team members, and,
   * only when the referrer's owner cannot take the lead (the rotations' turn may come),
   * everyone else eligible. Most leads go to the owner, so most reads carry no staff list.
   */
  staff: StaffUser[]
  owner: StaffUser | null
  policies: FollowUpPolicy[]
}

const roles = sql.join([...leadOwnerRoles].map((role) => sql`${role}`), sql`, `)

/** The four columns of the facts (JSON), for the referrer and lead source given as SQL or placeholders. */
export const routingFactsColumns = (referrerId: SQL | Placeholder, source: SQL | Placeholder): SQL => sql`
    (select coalesce(json_agg(json_build_object('id', r.id, 'name', r.name, 'priority', r.priority, 'active', r.active,
              'sources', r.sources, 'industries', r.industries, 'regions', r.regions, 'campaignIds', r.campaign_ids,
              'assigneeId', r.assignee_id, 'teamId', r.team_id) order by r.priority, r.created_at, r.id), '[]')
       from assignment_rules r where r.deleted_at is null and r.active),
    (select coalesce(json_agg(json_build_object('id', u.id, 'role', u.role, 'active', u.active, 'teamId', u.team_id)), '[]')
       from users u where u.deleted_at is null and u.active and u.role in (${roles})
        and (u.id in (select r.assignee_id from assignment_rules r where r.deleted_at is null and r.active)
          or u.team_id in (select r.team_id from assignment_rules r where r.deleted_at is null and r.active)
          or not exists (select 1 from referrers f join users o on o.id = f.owner_id
                          where f.id = ${referrerId}::uuid and o.deleted_at is null and o.active and o.role in (${roles})))),
    (select json_build_object('id', u.id, 'role', u.role, 'active', u.active, 'teamId', u.team_id)
       from referrers f join users u on u.id = f.owner_id and u.deleted_at is null
      where f.id = ${referrerId}::uuid),
    (select coalesce(json_agg(json_build_object('source', p.source, 'firstContactHours', p.first_contact_hours,
              'followUpDays', p.follow_up_days, 'dormantDays', p.dormant_days)), '[]')
       from follow_up_policies p
      where p.deleted_at is null and p.active and p.source in (${source}, '*'))`

/** The facts from the four columns of `routingFactsColumns`, starting at `offset`. */
export const decodeRoutingFacts = (row: unknown[], offset = 0): RoutingFacts => ({
  rules: row[offset] as AssignmentRule[], staff: row[offset + 1] as StaffUser[],
  owner: row[offset + 2] as StaffUser | null, policies: row[offset + 3] as FollowUpPolicy[]
})

const factsStatement = statement<{ referrerId: string | null; source: string }, RoutingFacts>('routing_facts',
  () => sql`select ${routingFactsColumns(sql.placeholder('referrerId'), sql.placeholder('source'))}`, (row) => decodeRoutingFacts(row))

export async function routingFacts(ex: Executor, referrerId: string | null, source: string): Promise<RoutingFacts> {
  const [facts] = await factsStatement(ex, { referrerId, source })
  return facts
}
