/** Child processes of the benchmarks: servers (server-process.ts) and their HTTP helpers. */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { ServerPorts, ServerSpec } from './server-process.js'

export const root = fileURLToPath(new URL('../..', import.meta.url))

/** Starts a server child and waits for the ports it reports; `profileDir` runs it under --cpu-prof. */
export function startServer(spec: ServerSpec, profileDir?: string): Promise<{ child: ChildProcess; ports: ServerPorts }> {
  if (profileDir) mkdirSync(profileDir, { recursive: true })
  const child = spawn(process.execPath, [
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    '--import', 'tsx', fileURLToPath(new URL('./server-process.ts', import.meta.url))
  ], { cwd: root, env: { ...process.env, BENCH_SERVER_SPEC: JSON.stringify(spec) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  return new Promise((resolve, reject) => {
    child.once('message', (m: { ports: ServerPorts }) => resolve({ child, ports: m.ports }))
    child.once('exit', (code) => reject(new Error(`${spec.role} server exited early (${code})`)))
  })
}

export function nextPorts(child: ChildProcess): Promise<ServerPorts> {
  return new Promise((resolve) => child.once('message', (m: { ports: ServerPorts }) => resolve(m.ports)))
}

export function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve()
    child.removeAllListeners('exit')
    child.once('exit', () => resolve())
    child.send('stop')
  })
}

export async function post(url: string, body: unknown, token?: string): Promise<{ status: number; json: any }> {
  const res = await fetch(url, {
    method: 'POST', body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }
  })
  return { status: res.status, json: await res.json() }
}
