import { hashToken, newToken } from '../common/tokens.js'

/**
 * Survey tokens are made like every bearer link (src/modules/common/tokens.ts): 32 random
 * bytes, base64url, shown once (in the survey.sent event); only the SHA-256 is stored.
 */
export const newSurveyToken = newToken
export const hashSurveyToken = hashToken

/** The public page's path for a token: what a message to the customer links to. */
export const surveyPath = (token: string) => `/api/v1/public/surveys/${token}`
