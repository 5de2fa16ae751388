import { runSuites } from '../../support/suites.js'

// The guardrail suites (templates, gate, held); the notifications area's own run from all.test.ts.
const mine = new Set(['templates.suite.ts', 'gate.suite.ts', 'held.suite.ts'])
await runSuites(import.meta.url, (file) => mine.has(file))
