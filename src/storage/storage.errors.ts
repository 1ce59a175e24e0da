/** Thrown by adapters when a unique constraint refuses a write (the field is named, never the value). */
export class DuplicateKeyError extends Error {
  constructor(readonly field: string) {
    super(`duplicate ${field}`);
    this.name = 'DuplicateKeyError';
  }
}

/** Thrown by adapters when the store cannot be reached or answers too slowly. */
export class StoreUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('store unavailable', options);
    this.name = 'StoreUnavailableError';
  }
}
