import { createBenchDatabase } from '../seed.js'
import { seedPoints, withSession } from './seed.js'
const t = await createBenchDatabase('postgres')
const counts = await withSession(t, (exec) => seedPoints(exec, { customers: 10000, scale: 1, now: new Date() }))
console.log(counts, t.url)
