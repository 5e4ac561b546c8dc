export { Watch } from './watch';
export type { WatchEvents } from './watch';
export { WatchHub } from './hub';
export type {
  WatchHubSources,
  WatchReadOptions,
  WatchKeyOptions,
  WatchPrefixOptions,
  WatchServiceOptions,
  ServiceWatchValue,
} from './hub';
export { WatchLoop } from './loop';
export type { WatchErrorInfo, WatchStats, LoopSubscriber } from './loop';
export { resolveWatchOptions } from './watch-options';
export type {
  WatchQuery,
  WatchQueryFn,
  WatchOptions,
  WatchLoopOptions,
  WatchSubscriberOptions,
  ResolvedWatchLoopOptions,
} from './watch-options';
export { deepEqual } from './deep-equal';
export { TokenBucket } from './token-bucket';
export { indexAfterSuccess, indexAfterError } from './index-rules';
export type { IndexStep } from './index-rules';
