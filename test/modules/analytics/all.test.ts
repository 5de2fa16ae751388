import { runSuites } from '../../support/suites.js'

// The property tests (*-exact) run from exact.test.ts, so tap runs the two halves in parallel.
await runSuites(import.meta.url, (file) => !file.includes('-exact'))
