import { appendFileSync, readdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/**
 * Runs every `*.suite.ts` beside the calling `all.test.ts` (those `include` takes, when a folder
 * is split across entry files so tap can run the halves in parallel), in name order, in this one process.
 * Each suite still builds its own apps on fresh databases; grouping them saves a process start
 * (loading tap, tsx and the app, several CPU seconds) per suite, which dominated CI time.
 * A suite must not register a teardown on the root test (wrap it in a subtest instead): that
 * makes tap end the root as soon as it is idle, before the next suite is imported.
 */
export async function runSuites(entryUrl: string, include: (file: string) => boolean = () => true): Promise<void> {
  const dir = dirname(fileURLToPath(entryUrl))
  const suites = readdirSync(dir).filter((f) => f.endsWith('.suite.ts') && include(f)).sort()
  if (suites.length === 0) throw new Error(`no *.suite.ts files in ${dir}`)
  for (const file of suites) {
    const wall = performance.now()
    const cpu = process.cpuUsage()
    await import(pathToFileURL(`${dir}/${file}`).href)
    // TEST_SUITE_TIMES=<file>: where a folder's time goes (wall and this process's CPU, per suite).
    if (process.env.TEST_SUITE_TIMES) {
      const used = process.cpuUsage(cpu)
      appendFileSync(process.env.TEST_SUITE_TIMES, `suite-time ${file} wall=${((performance.now() - wall) / 1000).toFixed(1)}s cpu=${((used.user + used.system) / 1e6).toFixed(1)}s\n`)
    }
  }
}
