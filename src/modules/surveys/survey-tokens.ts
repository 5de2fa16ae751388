import { hashConsentToken, newConsentToken } from '../referrals/consent.js'

/**
 * Survey tokens are made like consent tokens (src/modules/referrals/consent.ts): 32 random
 * bytes, base64url, shown once (in the survey.sent event); only the SHA-256 is stored.
 */
export const newSurveyToken = newConsentToken
export const hashSurveyToken = hashConsentToken

/** The public page's path for a token: what a message to the customer links to. */
export const surveyPath = (token: string) => `/api/v1/public/surveys/${token}`
