import { runSuites } from '../../support/suites.js'

// H1's suites (channels, adapters, delivery, staff); the templates and gate suites run from gate.test.ts.
await runSuites(import.meta.url, (f) => /^(channels|adapters|delivery|staff)/.test(f))
