import { Embeddable, Property } from '@mikro-orm/core';

/**
 * The committed import that last wrote a record, and the row of which file it came from. Written
 * only by imports (and put back by an undo); the API's own writes leave it as it is.
 */
@Embeddable()
export class LastImport {
  @Property({ type: 'uuid' })
  jobId!: string;

  @Property({ type: 'string', length: 255 })
  file!: string;

  @Property({ type: 'integer' })
  row!: number;
}
