import { postJson, robotResult } from './http-json.js'
import { refused, type Adapter, type MessageContent } from './types.js'

export const WECOM_SEND_URL = 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send'

/**
 * The body of a WeCom group robot message (企业微信群机器人): `text` (with
 * `mentioned_mobile_list` when mobiles are named) or `markdown`.
 */
export function wecomBody(content: MessageContent): Record<string, unknown> {
  if (content.markdown) return { msgtype: 'markdown', markdown: { content: content.text } }
  const text: Record<string, unknown> = { content: content.text }
  if (content.mentionedMobiles?.length) text.mentioned_mobile_list = content.mentionedMobiles
  return { msgtype: 'text', text }
}

/** The robot's address: the configured send URL (default WeCom's) with `key` = the robot key. */
export function wecomUrl(config: Record<string, unknown>, key: string): string {
  const url = new URL(typeof config.url === 'string' ? config.url : WECOM_SEND_URL)
  url.searchParams.set('key', key)
  return url.toString()
}

/** POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY; success is HTTP 200 with errcode 0. */
export const sendWecom: Adapter = async (channel, _to, content, ctx) => {
  const key = channel.secrets.key
  if (!key) return refused('the channel has no robot key')
  return robotResult(await postJson(wecomUrl(channel.config, key), wecomBody(content), {}, ctx))
}
