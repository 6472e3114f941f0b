import { Message } from '../../domain/message/message';

/** An outbound message the delivery workers may have to act on, as the outbox last saw it. */
export interface DeliveryCandidate {
  readonly id: string;
  readonly companyId: string;
  readonly ticketId: string;
  /** The version seen: a claim is a versioned write from exactly this version. */
  readonly version: number;
  readonly status: 'queued' | 'sending';
  /** Queued: the earliest time of the next attempt. */
  readonly nextAttemptAt: Date | null;
  /** Sending: until when the worker that claimed it owns the attempt. */
  readonly leaseExpiresAt: Date | null;
  /** Queued behind an earlier message of its ticket: left out of `findDue` until then. */
  readonly parkedUntil: Date | null;
}

/**
 * The durable outbox of outbound messages. The message itself stays the source of truth of
 * its delivery state; the outbox keeps a small queue of the messages not yet done, so the
 * workers find due work and ticket heads without reading every message ever stored.
 *
 * Every message write is versioned (ConcurrencyError for the loser), so exactly one worker
 * of any instance wins each claim, and no scheduling hint can ever undo a claim.
 */
export interface DeliveryOutbox {
  /**
   * Puts a message that is about to be saved `queued` (new, or retried) into the queue, due
   * at once. Call it BEFORE saving the message: an entry whose message never gets saved is
   * dropped after a grace period, while a queued message without an entry would wait for
   * the periodic sweep. Idempotent.
   */
  enqueue(message: Message): Promise<void>;
  /**
   * Due work, oldest first, at most one candidate per ticket and none of `skipTickets`:
   * queued messages whose attempt is due and `sending` ones whose lease expired.
   */
  findDue(now: Date, limit: number, skipTickets: ReadonlySet<string>): Promise<DeliveryCandidate[]>;
  /** The ticket's earliest outbound message still queued or sending: the only one that may go out. */
  findTicketHead(companyId: string, ticketId: string): Promise<DeliveryCandidate | null>;
  /**
   * Saves the message (versioned, like MessageRepository.save) and takes or renews the
   * delivery lease until `leaseUntil`. Throws ConcurrencyError when another writer got there first.
   */
  claim(message: Message, leaseUntil: Date): Promise<void>;
  /** Not the head of its ticket: leave it out of `findDue` until `until` (a scheduling hint). */
  park(message: Message, until: Date): Promise<void>;
  /** Back into `findDue` as soon as its attempt is due (a scheduling hint). */
  unpark(message: Message): Promise<void>;
  /**
   * The delivery process saved the message (MessageRepository.save): its queue entry
   * follows — due at its next attempt while queued, gone once delivery is over.
   */
  saved(message: Message): Promise<void>;
}

export function isDue(candidate: DeliveryCandidate, now: Date): boolean {
  if (candidate.status === 'queued') return candidate.nextAttemptAt === null || candidate.nextAttemptAt.getTime() <= now.getTime();
  return candidate.leaseExpiresAt === null || candidate.leaseExpiresAt.getTime() < now.getTime();
}
