export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** A new unique, roughly time-ordered id (used as the aggregate's id and storage key). */
  newId(): string;
  /**
   * The same id for the same key, in the format of `newId`: the storage key of something
   * that must exist once per natural key (an inbound message per Twilio MessageSid), so a
   * replay finds it by id and a duplicate insert is refused by the primary key.
   */
  derive(key: string): string;
}
