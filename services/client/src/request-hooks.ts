// The link between a Client and the requests beside its stream (requests.ts): older() and counts()
// are functions, not methods, so a bundle that never pages (the ticker) leaves them out, and this
// link is all the client carries for them.
import type { Delivery } from './delivery.ts'
import type { ResolvedOptions } from './options.ts'
import type { Endpoints } from './protocol.ts'
import type { StreamFilter } from './types.ts'

export type RequestHook = () => [ResolvedOptions, Endpoints, string[], StreamFilter | undefined, Delivery]

export const requestHooks = new WeakMap<object, RequestHook>()
