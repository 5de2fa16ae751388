import { customerCommands } from './model-commands-customers.js'

/** Every area's command arbitraries; an area adds its list here (docs/architecture.md, "Testing: the model test"). */
export const allCommands = [
  ...customerCommands
]
