import { runSuites } from '../../support/suites.js'

await runSuites(import.meta.url)
