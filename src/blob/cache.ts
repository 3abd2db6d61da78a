/**
 * Stored values a worker keeps parsed in memory. Blobs are content-addressed, so a reference
 * always means the same value and a cached one never goes stale. The case it is for: a fan-out
 * over stored items gives every partition a path into the same blob, and each child's activity
 * read and parsed all of it to take its slice — at 10,000 one-item partitions of a 350 KB list,
 * 3.5 GB of JSON parsed for 350 KB of items.
 */
import { jsonByteLength, type JsonValue } from '../core/json.js';

/** Bytes of JSON a worker keeps parsed at most, by default. */
export const DEFAULT_BLOB_CACHE_BYTES = 32 * 1024 * 1024;

/**
 * Parsed blobs by reference, least recently used dropped first past `maxBytes` (JSON bytes).
 * Loads of one reference at once share one read. Values are shared: callers copy what they hand on.
 * @example const value = await cache.get(ref, () => store.get(ref));
 */
export class BlobCache {
  private readonly entries = new Map<string, { readonly value: Promise<JsonValue>; bytes: number }>();
  private bytes = 0;

  constructor(readonly maxBytes: number = DEFAULT_BLOB_CACHE_BYTES) {}

  /** The value of `ref`, loaded with `load` unless kept. A failed load is not kept. */
  get(ref: string, load: () => Promise<JsonValue>): Promise<JsonValue> {
    const hit = this.entries.get(ref);
    if (hit) {
      // Most recently used last: a Map iterates in insertion order.
      this.entries.delete(ref);
      this.entries.set(ref, hit);
      return hit.value;
    }
    const entry = { value: load(), bytes: 0 };
    this.entries.set(ref, entry);
    entry.value.then(
      (v) => {
        if (this.entries.get(ref) !== entry) return;
        entry.bytes = jsonByteLength(v);
        this.bytes += entry.bytes;
        this.evict();
      },
      () => {
        if (this.entries.get(ref) === entry) this.entries.delete(ref);
      },
    );
    return entry.value;
  }

  /** Values kept, and their JSON bytes. */
  get size(): { readonly entries: number; readonly bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private evict(): void {
    for (const [ref, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) return;
      this.entries.delete(ref);
      this.bytes -= entry.bytes;
    }
  }
}
