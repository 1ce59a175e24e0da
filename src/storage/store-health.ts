/** Port: whether the active store answers. Each adapter provides one. */
export abstract class StoreHealth {
  /** Resolves when the store answers a trivial query; rejects otherwise. */
  abstract ping(): Promise<void>;
}
