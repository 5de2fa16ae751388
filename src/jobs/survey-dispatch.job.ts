import type { JobDefinition } from './job.js'

/**
 * Sends the survey invitations that are due (token, expiry, `survey.sent`) and expires the
 * sent ones past their expiry (docs/service.md). Returns the counts of one pass.
 */
export const surveyDispatchJob: JobDefinition = {
  name: 'survey-dispatch',
  cron: (config) => config.SURVEY_DISPATCH_CRON,
  run: (services, now) => services.surveys.dispatch(now)
}
