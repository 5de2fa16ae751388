import { adminQuery } from '../seed.js'
const url = 'postgres://postgres@127.0.0.1:5432/crm_points_expiry_1000000'
const text = (await import('node:fs')).readFileSync(process.argv[2], 'utf8').replaceAll('$AT', new Date().toISOString())
console.log((await adminQuery(url, `explain ${text}`)).map((r) => r['QUERY PLAN']).join('\n'))
