/**
 * client/: how every component other than the API server talks to the cluster — only through
 * the API over HTTPS, as an outside program would. Owns the REST client (KubeClient, ApiError),
 * shared informers (list + watch + re-list on 410 + resync) and their indexed caches, listers,
 * the informer factory and client-go style rate-limited work queues.
 * May import src/api/ and src/machinery/; never src/apiserver/ or src/storage/.
 */
export {
  KubeClient, ApiError, isNotFound, isConflict, isGone, resourcePath,
} from './rest-client.js';
export type {
  KubeClientOptions, ResourceRef, StatusBody, KObject, KList, ListOptions, WatchOptions, WriteOptions,
  DeleteOptions, PatchType, WatchEvent, WatchEventType, WatchStream, RequestExtras,
} from './rest-client.js';
export { EventRecorder } from './event-recorder.js';
export type { EventRecorderOptions, EventType } from './event-recorder.js';
export { SharedInformer } from './informer.js';
export type { EventHandlers, InformerOptions } from './informer.js';
export {
  Indexer, objectKey, splitKey, NAMESPACE_INDEX, OWNER_UID_INDEX, namespaceIndexFunc, ownerUidIndexFunc,
} from './store.js';
export type { IndexFunc } from './store.js';
export { Lister } from './lister.js';
export { InformerFactory } from './informer-factory.js';
export type { InformerFactoryOptions, InformerRequest } from './informer-factory.js';
export {
  WorkQueue, ItemExponentialFailureRateLimiter, BucketRateLimiter, MaxOfRateLimiter, defaultControllerRateLimiter,
} from './workqueue.js';
export type { RateLimiter, WorkQueueOptions } from './workqueue.js';
