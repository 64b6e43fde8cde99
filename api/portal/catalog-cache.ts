/**
 * Each router's rendered catalog, for a moment. The captive portal asks for it on every page view, thousands of times
 * a second at peak, and it changes only when an admin edits a product: such an edit clears the cache of every API
 * process at once (`SharedCaches`), the lifetime being the backstop. Purchases never read it: they load the product
 * (active, price) from the database.
 */
export class CatalogCache<T> {
  private readonly entries = new Map<string, { value: Promise<T>; loadedAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached value of `key`, or `load()`'s, shared by every request that asks while it loads. */
  get(key: string, load: () => Promise<T>): Promise<T> {
    const cached = this.entries.get(key);
    if (cached && this.now() - cached.loadedAt < this.ttlMs) return cached.value;
    const entry = { value: load(), loadedAt: this.now() };
    if (this.entries.size >= 10_000) this.entries.clear(); // routers are few; stays bounded whatever happens
    this.entries.set(key, entry);
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key); // a failure is not cached
    });
    return entry.value;
  }

  invalidate(): void {
    this.entries.clear();
  }
}
