import fp from 'fastify-plugin'
import type { Db } from '../db/client.js'
import { actionContext } from '../modules/auth/actor.js'
import { AccessRecorder } from '../modules/audit/access-recorder.js'
import { accessRows, insertAccessRows } from '../modules/audit/access-entries.repository.js'
import { AccessBatcher } from '../modules/audit/access-batcher.js'
import type { AccessSink } from '../modules/audit/access-recorder.js'

export type AccessAuditOptions = { db: Db; enabled: boolean }

/**
 * The audit of reads (docs/privacy.md, "Audit trail of reads and writes"): every
 * authenticated request gets a recorder on its actor, which views feed as they hand out a
 * clear phone or email; what it heard is written as ONE insert before the answer leaves
 * (onSend), so no answer with clear personal data is sent without its entry: if the
 * insert fails, the answer is the error. Streams (exports) flush as they go
 * (src/modules/bulk/export-pages.ts).
 */
export default fp<AccessAuditOptions>(async (app, opts) => {
  if (!opts.enabled) return
  // Concurrent requests' entries share a statement and a commit (src/modules/audit/access-batcher.ts).
  const batcher = new AccessBatcher((rows) => insertAccessRows(opts.db, rows))
  const sink: AccessSink = (who, reads) => batcher.add(accessRows(who, reads))
  // Callback style: cheaper per request than async hooks (src/app.ts).
  app.addHook('preHandler', (request, _reply, done) => {
    const actor = request.actor
    if (actor && !actor.access) actor.access = new AccessRecorder(actionContext(actor), sink)
    done()
  })
  app.addHook('onSend', (request, _reply, payload, done) => {
    const access = request.actor?.access
    if (!access || access.empty) return done(null, payload)
    access.flush().then(() => done(null, payload), (err: Error) => done(err))
  })
}, { name: 'access-audit', dependencies: ['auth'] })
