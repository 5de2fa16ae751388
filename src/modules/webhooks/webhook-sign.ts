import { Webhook } from 'standardwebhooks'

export type SignedRequest = { body: string; headers: Record<string, string> }

/**
 * The Standard Webhooks request for one event: body `{ type, timestamp, data }` (timestamp:
 * when the event happened), `webhook-id` the event id (the same on every retry and replay,
 * so consumers dedupe on it), `webhook-timestamp` the send time in seconds, and one `v1,`
 * signature per secret that signs now (two during a rotation), space-separated.
 */
export function signedRequest(event: { id: string; type: string; occurredAt: Date; data: unknown }, secrets: readonly string[], sentAt: Date): SignedRequest {
  const body = JSON.stringify({ type: event.type, timestamp: event.occurredAt.toISOString(), data: event.data })
  return {
    body,
    headers: { 'webhook-id': event.id, 'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)), 'webhook-signature': signatures(event.id, sentAt, body, secrets) }
  }
}

/** The `webhook-signature` value: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` per secret, space-separated. */
export function signatures(id: string, sentAt: Date, body: string, secrets: readonly string[]): string {
  return secrets.map((s) => new Webhook(s).sign(id, sentAt, body)).join(' ')
}
