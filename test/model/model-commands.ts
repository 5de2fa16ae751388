import { adminCommands, readCommands } from './model-commands-admin.js'
import { campaignCommands } from './model-commands-campaigns.js'
import { customerCommands } from './model-commands-customers.js'
import { leadCommands, moreLeadCommands } from './model-commands-leads.js'
import { moreReferralCommands, referralCommands } from './model-commands-referrals.js'
import { workCommands } from './model-commands-work.js'
import { reportCommands } from './model-invariants-analytics.js'
import { ticketCommands } from './model-commands-tickets.js'
import { pointsCommands } from './model-commands-points.js'
import { couponCommands } from './model-commands-coupons.js'
import { consentCommands } from './model-commands-consents.js'
import { journeyCommands } from './model-commands-journeys.js'
import { engineCommands } from './model-commands-engine.js'
import { privacyCommands } from './model-commands-privacy.js'

/** Every area's command arbitraries; an area adds its list here (docs/architecture.md, "Testing: the model test"). */
export const allCommands = [
  ...customerCommands, ...referralCommands, ...moreReferralCommands, ...leadCommands, ...moreLeadCommands, ...workCommands, ...adminCommands, ...readCommands,
  ...campaignCommands, ...reportCommands, ...ticketCommands, ...pointsCommands, ...couponCommands,
  ...consentCommands, ...journeyCommands, ...engineCommands,
  ...privacyCommands
]
