import type { ServiceDeps } from './service-deps.js'
import { CustomersService } from './customers/customers.service.js'
import { UsersService } from './users/users.service.js'

/** The one place services are built; transports receive this object. */
export function createServices(deps: ServiceDeps) {
  return {
    customers: new CustomersService(deps),
    users: new UsersService(deps)
  }
}

export type Services = ReturnType<typeof createServices>
