import type { ServerResponse } from 'node:http';

/**
 * The worst-case bytes of the large answers this process is building or sending at once. A burst of large pages
 * arrives within one turn of the event loop, faster than any sampling of memory can see: this counts them as
 * they are admitted, so that memory stays bounded whatever the burst, and refuses (retryable) past the limit.
 */
export class AnswerBudget {
  private inFlight = 0;

  constructor(readonly limit: number) {}

  /** Holds `bytes` until `response` closes (sent, or its client gone); false when that would pass the limit. */
  take(bytes: number, response: ServerResponse): boolean {
    if (response.closed) return true; // nobody to answer: nothing will be held
    if (this.inFlight + bytes > this.limit) return false;
    this.inFlight += bytes;
    response.once('close', () => {
      this.inFlight -= bytes;
    });
    return true;
  }

  get bytesInFlight(): number {
    return this.inFlight;
  }
}
