import { runSuites } from '../../support/suites.js'

// Each report against an independent computation over random data; ANALYTICS_RUNS (default 5) sets the runs per property.
await runSuites(import.meta.url, (file) => file.includes('-exact'))
