import { createHash } from 'node:crypto';

/** An object as the origin renders it. */
export interface StoredObject {
  path: string;
  etag: string;
  body: string;
  renderedAt: string;
}

/**
 * The origin's in-memory cache of rendered objects, least recently used evicted first. Edges route
 * each path to one origin (consistent hashing), so every origin caches only its share of objects.
 */
export class ObjectStore {
  hits = 0;
  misses = 0;
  private readonly objects = new Map<string, StoredObject>();

  /** @param capacity read on every insert, so a config change applies at once */
  constructor(private readonly capacity: () => number) {}

  /** Number of cached objects. */
  get size(): number {
    return this.objects.size;
  }

  /** The object at `path`, rendered on a miss. */
  get(path: string): { object: StoredObject; hit: boolean } {
    const cached = this.objects.get(path);
    if (cached) {
      this.hits++;
      // Re-inserting moves it to the end of the Map's order: the most recently used.
      this.objects.delete(path);
      this.objects.set(path, cached);
      return { object: cached, hit: true };
    }
    this.misses++;
    const object = render(path);
    this.objects.set(path, object);
    for (const oldest of this.objects.keys()) {
      if (this.objects.size <= this.capacity()) break;
      this.objects.delete(oldest);
    }
    return { object, hit: false };
  }

  /** Drops `path` from the cache; whether it was cached. */
  purge(path: string): boolean {
    return this.objects.delete(path);
  }
}

function render(path: string): StoredObject {
  const renderedAt = new Date().toISOString();
  const etag = createHash('sha256').update(`${path}@${renderedAt}`).digest('hex').slice(0, 16);
  return { path, etag, body: `content of ${path}`, renderedAt };
}
