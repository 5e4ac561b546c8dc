/** Helpers of the lock, leader and semaphore tests: the generic ones of `@consulkit/testing`. */
export { delay, waitFor } from '@consulkit/testing';
