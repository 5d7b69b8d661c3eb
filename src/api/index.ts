/** The Gridmap API client: one APIDataSource per server, typed errors (the answer schemas, in schemas.ts, load with a client). */
export {APIDataSource} from './client.js'
export type {APIDataSourceOptions, Created, MapBody, RemoteObserverDetail, RequestEvent} from './client.js'
export {ApiOptionError, ContractError, HttpError, NetworkError, VersionMismatchError, isAmbiguousWrite} from './errors.js'
export type {NetworkFailureKind} from './errors.js'
export {DEFAULT_RETRY_POLICY, parseRetryAfter, retryDelay} from './retry.js'
export type {FailedAttempt, RetryPolicy} from './retry.js'
