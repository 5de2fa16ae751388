import t from 'tap'
import fc from 'fast-check'
import { campaignStatuses, campaignTransitions, decideCampaignStatus, isFinalStatus } from '../../src/rules/campaign-status.js'

const status = fc.constantFrom(...campaignStatuses)

t.test('allows the documented lifecycle draft → scheduled → active → paused → active → completed', async (t) => {
  const walk = ['draft', 'scheduled', 'active', 'paused', 'active', 'completed'] as const
  for (let i = 1; i < walk.length; i++) t.match(decideCampaignStatus(walk[i - 1], walk[i]), { ok: true, changed: true })
})

t.test('refuses a move not in the table and names the allowed ones', async (t) => {
  t.match(decideCampaignStatus('draft', 'paused'), { ok: false, code: 'INVALID_TRANSITION', explanation: /scheduled, active, cancelled/ })
  t.match(decideCampaignStatus('completed', 'active'), { ok: false, code: 'INVALID_TRANSITION', explanation: /final/ })
})

t.test('accepts any status on creation and the same status as no change', async (t) => {
  t.match(decideCampaignStatus(null, 'completed'), { ok: true, changed: true })
  t.match(decideCampaignStatus('active', 'active'), { ok: true, changed: false })
})

t.test('property: completed and cancelled are final', async () => {
  fc.assert(fc.property(status, status, (from, to) => !isFinalStatus(from) || from === to || !decideCampaignStatus(from, to).ok))
})

t.test('property: a decision follows the table exactly and is deterministic', async () => {
  fc.assert(fc.property(status, status, (from, to) => {
    const d = decideCampaignStatus(from, to)
    const expected = from === to || campaignTransitions[from].includes(to)
    return d.ok === expected && JSON.stringify(d) === JSON.stringify(decideCampaignStatus(from, to))
  }))
})
