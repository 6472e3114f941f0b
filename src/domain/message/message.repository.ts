import { Message } from './message';

/**
 * `save` inserts or updates with optimistic concurrency; inserting a second message with
 * the same (integrationId, twilioSid) throws DuplicateMessageError (webhook replays).
 */
export interface MessageRepository {
  save(message: Message): Promise<void>;
  findById(companyId: string, id: string): Promise<Message | null>;
  findByTwilioSid(integrationId: string, twilioSid: string): Promise<Message | null>;
}

export class DuplicateMessageError extends Error {
  constructor(readonly integrationId: string, readonly twilioSid: string) {
    super('a message with this Twilio SID is already stored for this integration');
    this.name = 'DuplicateMessageError';
  }
}
