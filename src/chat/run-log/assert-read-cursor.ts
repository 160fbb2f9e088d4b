/**
 * A read cursor is the seq of the last event the client saw (0 for none). Transports parse it from
 * untrusted headers and frames and must reject bad ones there; reaching here with one is a bug.
 */
export function assertReadCursor(afterSeq: number): void {
  if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) {
    throw new RangeError(`read cursor must be a whole number of at least 0, got ${afterSeq}`);
  }
}
