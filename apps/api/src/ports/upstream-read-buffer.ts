/** What a connection to an app reads into first: Node's own read size, one allocation per connection. */
export const SMALL_READ_BYTES = 64 * 1024;
/**
 * What it reads into once a read filled the buffer (a large body is streaming). Fewer, larger
 * reads and writes are what took a 100 MB download from a third of the direct speed to the
 * speed of nginx (docs/benchmarks.md, "Port proxy"); 1 MiB was slower than 256 KiB on loopback.
 */
export const LARGE_READ_BYTES = 256 * 1024;

/**
 * The buffer a socket to an app reads into (`net.connect`'s `onread`), reused from read to read
 * instead of the fresh 64 KiB buffer Node allocates for every read. Reuse is only safe while
 * nothing holds on to the bytes of the last read: when the client's socket queued them (it could
 * not take them at once) or a partial response head keeps them, the next read gets a new buffer
 * and the old one is left to whoever holds it.
 */
export class UpstreamReadBuffer {
  private size = SMALL_READ_BYTES;
  private buffer = Buffer.allocUnsafe(this.size);

  /** For `onread.buffer`: where the next read goes. */
  readonly current = (): Buffer => this.buffer;

  /** After a read of `bytes` bytes was handled; `held` when anything still refers to them. */
  afterRead(bytes: number, held: boolean): void {
    let fresh = held;
    if (bytes === this.buffer.length && this.size < LARGE_READ_BYTES) {
      this.size = LARGE_READ_BYTES;
      fresh = true;
    }
    if (fresh) this.buffer = Buffer.allocUnsafe(this.size);
  }
}
