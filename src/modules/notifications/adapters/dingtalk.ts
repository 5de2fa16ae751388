import { createHmac } from 'node:crypto'
import { postJson, robotResult } from './http-json.js'
import { refused, type Adapter, type MessageContent } from './types.js'

export const DINGTALK_SEND_URL = 'https://oapi.dingtalk.com/robot/send'

/**
 * DingTalk's custom robot signature (加签): base64 of HMAC-SHA256 keyed by the secret over
 * `timestamp + "\n" + secret`, URL-encoded for the query string.
 */
export function dingtalkSign(timestampMs: number, secret: string): string {
  const digest = createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64')
  return encodeURIComponent(digest)
}

/** The robot's address: the configured send URL (default DingTalk's) with access_token, and timestamp and sign when the robot signs. */
export function dingtalkUrl(config: Record<string, unknown>, accessToken: string, secret: string | undefined, now: Date): string {
  const base = typeof config.url === 'string' ? config.url : DINGTALK_SEND_URL
  const sep = base.includes('?') ? '&' : '?'
  let query = `access_token=${encodeURIComponent(accessToken)}`
  if (secret) query += `&timestamp=${now.getTime()}&sign=${dingtalkSign(now.getTime(), secret)}`
  return `${base}${sep}${query}`
}

/** The body of a DingTalk robot message: a text one (with `at.atMobiles` when mobiles are named), or markdown with its title. */
export function dingtalkBody(content: MessageContent): Record<string, unknown> {
  const at = content.mentionedMobiles?.length ? { at: { atMobiles: content.mentionedMobiles, isAtAll: false } } : {}
  if (content.markdown) return { msgtype: 'markdown', markdown: { title: content.title ?? content.subject ?? content.text.slice(0, 30), text: content.text }, ...at }
  return { msgtype: 'text', text: { content: content.text }, ...at }
}

/** POST https://oapi.dingtalk.com/robot/send?access_token=T&timestamp=MS&sign=S; success is errcode 0. */
export const sendDingtalk: Adapter = async (channel, _to, content, ctx) => {
  const token = channel.secrets.accessToken
  if (!token) return refused('the channel has no access token')
  return robotResult(await postJson(dingtalkUrl(channel.config, token, channel.secrets.signSecret, ctx.now), dingtalkBody(content), {}, ctx))
}
