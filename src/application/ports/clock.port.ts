export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** A new unique, roughly time-ordered id (used as the aggregate's id and storage key). */
  newId(): string;
}
