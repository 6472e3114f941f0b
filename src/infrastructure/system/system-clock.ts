import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { Clock, IdGenerator } from '../../application/ports/clock.port';

export class SystemClock implements Clock {
  now(): Date {
    return new Date();
  }
}

/** 24-hex ObjectId strings: unique across instances and ordered by creation time. */
export class ObjectIdGenerator implements IdGenerator {
  newId(): string {
    return new Types.ObjectId().toHexString();
  }

  /** 96 bits of SHA-256: collisions are out of reach for any realistic number of messages. */
  derive(key: string): string {
    return createHash('sha256').update(key).digest('hex').slice(0, 24);
  }
}
