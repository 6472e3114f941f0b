/** A clock tests move by hand. */
export class FixedClock {
  constructor(private current = new Date('2026-01-01T00:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  advance(ms: number): Date {
    this.current = new Date(this.current.getTime() + ms);
    return this.now();
  }
}

/** Ids `prefix-1`, `prefix-2`, ... in order. */
export class SequentialIds {
  private next = 1;
  constructor(private readonly prefix = 'id') {}
  newId(): string {
    return `${this.prefix}-${this.next++}`;
  }
  derive(key: string): string {
    return `${this.prefix}-of-${key}`;
  }
}
