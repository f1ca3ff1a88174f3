/**
 * The most recent output of a terminal, addressed by byte offset ("seq")
 * since the terminal started. A reconnecting client names the offset it has
 * received up to and gets exactly the bytes after it, or learns precisely
 * which range was lost.
 */
export class TerminalReplayBuffer {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private end: number;

  /** `start`: the offset of the first byte (0 for a new shell; see Terminal's `startSeq`). */
  constructor(
    readonly capacity: number,
    start = 0,
  ) {
    this.end = start;
  }

  /** Offset one past the last byte ever written. */
  get endSeq(): number {
    return this.end;
  }

  /** Offset of the oldest byte still held. */
  get startSeq(): number {
    return this.end - this.bytes;
  }

  append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    this.end += chunk.length;
    while (this.bytes > this.capacity) {
      const first = this.chunks[0]!;
      const excess = this.bytes - this.capacity;
      if (first.length <= excess) {
        this.chunks.shift();
        this.bytes -= first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.bytes -= excess;
      }
    }
  }

  /**
   * Bytes from `since` to the end. When `since` is older than the buffer
   * reaches, `lost` is the missing range and `data` starts at startSeq.
   */
  readFrom(since: number): { data: Buffer; from: number; lost?: { from: number; to: number } } {
    const from = Math.min(Math.max(since, this.startSeq), this.end);
    const lost = since < this.startSeq ? { from: since, to: this.startSeq } : undefined;
    let skip = from - this.startSeq;
    const parts: Buffer[] = [];
    for (const chunk of this.chunks) {
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      parts.push(skip > 0 ? chunk.subarray(skip) : chunk);
      skip = 0;
    }
    return { data: Buffer.concat(parts), from, ...(lost ? { lost } : {}) };
  }
}
