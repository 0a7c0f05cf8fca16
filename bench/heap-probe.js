// Loaded into the hook's process by a soak run (`node --expose-gc --import`): answers the bench's
// requests for memory figures over the IPC channel the bench opened, once as found and once after
// a full garbage collection, so that garbage not yet collected is not taken for a leak.
import { getHeapStatistics } from 'node:v8';

// Not in a cluster worker (WORKERS > 1): the soak measures one process.
if (process.send && process.channel && process.env.NODE_UNIQUE_ID === undefined) {
  process.on('message', (message) => {
    if (message !== 'memory?') return;
    const found = memory();
    globalThis.gc?.();
    process.send?.({ found, live: memory() });
  });
  // The channel must not keep the process alive: the hook stops on SIGTERM as it always does.
  process.channel.unref();
}

function memory() {
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  const mb = (bytes) => Math.round((bytes / 2 ** 20) * 10) / 10;
  const heap = getHeapStatistics();
  return {
    rssMb: mb(rss),
    heapUsedMb: mb(heapUsed),
    heapTotalMb: mb(heapTotal),
    externalMb: mb(external),
    arrayBuffersMb: mb(arrayBuffers),
    mallocedMb: mb(heap.malloced_memory),
    nativeContexts: heap.number_of_native_contexts,
    detachedContexts: heap.number_of_detached_contexts,
  };
}
