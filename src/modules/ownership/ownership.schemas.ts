import { Type, type Static } from '@sinclair/typebox'
import { StringEnum, Uuid } from '../common/schemas.js'

export const transferableEntities = ['customers', 'leads', 'opportunities', 'tasks', 'referrers'] as const
export type TransferableEntity = (typeof transferableEntities)[number]

export const OwnershipTransfer = Type.Object({
  fromUserId: Uuid,
  toUserId: Uuid,
  entities: Type.Optional(Type.Union([
    Type.Array(StringEnum(transferableEntities), { minItems: 1, maxItems: 5, uniqueItems: true }), Type.Null()
  ], { description: 'What to hand over; all of them by default' })),
  onlyOpen: Type.Optional(Type.Union([Type.Boolean(), Type.Null()], {
    description: 'Leave closed leads (converted, disqualified), won/lost opportunities and finished tasks with their owner (default true)'
  }))
}, { additionalProperties: false })
export type OwnershipTransfer = Static<typeof OwnershipTransfer>

export const TransferCounts = Type.Object({
  customers: Type.Integer(), leads: Type.Integer(), opportunities: Type.Integer(), tasks: Type.Integer(),
  referrers: Type.Integer({ description: 'Referrers whose relationship owner moved (all live ones, onlyOpen or not)' })
})
export type TransferCounts = Static<typeof TransferCounts>

export const CustomerMerge = Type.Object({
  mergedIds: Type.Array(Uuid, { minItems: 1, maxItems: 50, uniqueItems: true, description: 'The customers absorbed into this one' })
}, { additionalProperties: false })
