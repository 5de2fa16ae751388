import type { Config } from '../config.js'
import type { Db } from '../db/client.js'
import type { RawQuery } from '../db/raw.js'
import type { PiiCipher } from '../lib/pii.js'

/** What every service is built from: the database (and its raw driver, for hot reads), the PII cipher, the configuration. */
export type ServiceDeps = { db: Db; raw: RawQuery; pii: PiiCipher; config: Config }
