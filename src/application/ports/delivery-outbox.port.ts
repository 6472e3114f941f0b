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
 * The durable outbox of outbound messages (the messages collection itself). Every write is
 * versioned (ConcurrencyError for the loser), so exactly one worker of any instance wins
 * each claim, and no hint write can ever undo a claim (on FerretDB an unconditional update
 * rewrites the whole stored document).
 */
export interface DeliveryOutbox {
  /** Queued messages whose attempt is due and `sending` ones whose lease expired, oldest first. */
  findDue(now: Date, limit: number): Promise<DeliveryCandidate[]>;
  /** The ticket's earliest outbound message still queued or sending: the only one that may go out. */
  findTicketHead(companyId: string, ticketId: string): Promise<DeliveryCandidate | null>;
  /**
   * Saves the message (versioned, like MessageRepository.save) and takes or renews the
   * delivery lease until `leaseUntil`. Throws ConcurrencyError when another writer got there first.
   */
  claim(message: Message, leaseUntil: Date): Promise<void>;
  /** Not the head of its ticket: leave it out of `findDue` until `until` (versioned save). */
  park(message: Message, until: Date): Promise<void>;
  /** Back into `findDue` at once (versioned save). */
  unpark(message: Message): Promise<void>;
}

export function isDue(candidate: DeliveryCandidate, now: Date): boolean {
  if (candidate.status === 'queued') return candidate.nextAttemptAt === null || candidate.nextAttemptAt.getTime() <= now.getTime();
  return candidate.leaseExpiresAt === null || candidate.leaseExpiresAt.getTime() < now.getTime();
}
