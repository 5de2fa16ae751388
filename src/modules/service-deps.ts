import type { Config } from '../config.js'
import type { Db } from '../db/client.js'
import type { PiiCipher } from '../lib/pii.js'

/** What every service is built from: the database, the PII cipher, the configuration. */
export type ServiceDeps = { db: Db; pii: PiiCipher; config: Config }
