import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Problem } from '../http/problem.js'
import { localeOf, translate, translateFieldErrors, type Locale } from './translate.js'

/** The request's language, and the headers that say which one the answer is in. */
export function answerLocale(request: FastifyRequest, reply: FastifyReply): Locale {
  const locale = localeOf(request.headers['accept-language'])
  reply.header('content-language', locale === 'zh' ? 'zh-Hans' : 'en')
  reply.header('vary', 'Accept-Language')
  return locale
}

/** A problem's human parts (title, detail, field messages) in the locale; codes stay. */
export function localizedProblem(problem: Problem, locale: Locale): Problem {
  if (locale === 'en') return problem
  return {
    ...problem,
    title: translate(problem.title, locale),
    detail: translate(problem.detail, locale),
    ...(problem.errors ? { errors: translateFieldErrors(problem.errors, locale) } : {})
  }
}
