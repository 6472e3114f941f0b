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
}
