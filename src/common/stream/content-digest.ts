import { createHash } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';

/**
 * A pass-through that takes the sha256 and the size of what flows through it, so a file's
 * checksum is known the moment it is written, without reading it again.
 */
export class ContentDigest extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  get size(): number {
    return this.bytes;
  }

  /** The hex sha256 of everything that went through; call once, after the stream finished. */
  sha256(): string {
    return this.hash.digest('hex');
  }
}
