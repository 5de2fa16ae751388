/**
 * What the delivery log keeps of a receiver's answer (docs/webhooks.md, "Delivery log").
 * The log is readable through the API, so it must not become a way to read a service the
 * guard missed or an allowed private receiver: only the start of a text/plain or JSON
 * answer is kept, at most EXCERPT_CHARS characters; HTML and any other type, whatever the
 * status, leave no excerpt.
 */
export const EXCERPT_CHARS = 256

/** text/plain, application/json and any application/*+json (problem+json); parameters ignored. */
export function isTextAnswer(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase()
  return type === 'text/plain' || type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type)
}

/** The excerpt to store for an answer of this type, or null. */
export function excerptOf(contentType: string | undefined, answer: string | null): string | null {
  if (answer === null || !isTextAnswer(contentType)) return null
  const cut = answer.slice(0, EXCERPT_CHARS)
  // A cut between the halves of a surrogate pair leaves a lone half: drop it.
  return /[\ud800-\udbff]$/.test(cut) ? cut.slice(0, -1) : cut
}
