import { getTableColumns, isNull } from 'drizzle-orm'
import type { GraphSpec } from '../../db/graph-read.js'
import { activities } from '../../db/schema/activities.js'
import { customers } from '../../db/schema/customers.js'
import { referrers } from '../../db/schema/referrers.js'
import { users } from '../../db/schema/users.js'
import { viewColumns as activityColumns } from '../activities/activities.repository.js'
import { timelineSource } from '../activities/activities.timeline.js'
import { viewKeys as referrerKeys } from '../referrers/referrers.service.js'
import { viewKeys as customerKeys } from './customers.columns.js'

function pick<T extends object>(columns: T, keys: readonly string[]) {
  return Object.fromEntries(keys.map((k) => [k, columns[k as keyof T]]))
}

const customerColumns = getTableColumns(customers)

/**
 * What a GraphQL read of customers may fold into one statement: the view's columns,
 * phone and email (opened by the service), and the relations whose loaders read plain
 * rows: owner (users, deleted ones too, as the loader does), referrer (live only) and the
 * latest activities of its timeline (live, newest first). Each mirrors its loader exactly; the service
 * only uses it where the actor's reach over those relations is unlimited.
 */
export const customerGraph: GraphSpec = {
  table: customers,
  columns: {
    ...pick(customerColumns, customerKeys),
    phoneEnc: customers.phoneEnc, phoneMasked: customers.phoneMasked,
    emailEnc: customers.emailEnc, emailMasked: customers.emailMasked,
    idNumberEnc: customers.idNumberEnc, idNumberMasked: customers.idNumberMasked
  },
  computed: { phone: ['phoneEnc', 'phoneMasked'], email: ['emailEnc', 'emailMasked'], idNumber: ['idNumberEnc', 'idNumberMasked'] },
  relations: {
    owner: {
      kind: 'one', entity: 'users', scoped: false, table: users, columns: getTableColumns(users),
      key: users.id, fk: customers.ownerId, fkField: 'ownerId', idFromFk: true
    },
    referrer: {
      kind: 'one', entity: 'referrers', scoped: true, table: referrers, columns: pick(getTableColumns(referrers), referrerKeys),
      key: referrers.id, fk: customers.referrerId, fkField: 'referrerId', where: isNull(referrers.deletedAt)
    },
    activities: {
      kind: 'latest', entity: 'activities', scoped: true, table: activities, columns: activityColumns,
      parent: activities.customerId, parentKey: customers.id, source: timelineSource(customers.id),
      order: [activities.occurredAt, activities.id], where: isNull(activities.deletedAt),
      defaultFirst: 10, maxFirst: 200
    }
  }
}
