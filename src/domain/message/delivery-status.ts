export const MESSAGE_STATUSES = ['received', 'queued', 'sending', 'sent', 'delivered', 'read', 'failed', 'undelivered'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];
export type OutboundStatus = Exclude<MessageStatus, 'received'>;

/** Progress order of an outbound message; a status is accepted only if it moves forward. */
const RANK: Record<OutboundStatus, number> = {
  queued: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  read: 4,
  // Failures are final. They win over anything before `delivered`; a late failure after
  // the customer's phone confirmed delivery is ignored.
  failed: 2.5,
  undelivered: 2.5,
};

export function isFailure(status: MessageStatus): status is 'failed' | 'undelivered' {
  return status === 'failed' || status === 'undelivered';
}

/**
 * Whether an outbound message at `current` may move to `next` on a delivery report.
 * Forward-only: a late `sent` never overwrites `delivered`; nothing leaves a failure
 * (a retry is an explicit command, not a report).
 */
export function isForwardMove(current: OutboundStatus, next: OutboundStatus): boolean {
  if (isFailure(current)) return false;
  if (isFailure(next)) return RANK[current] < RANK.delivered;
  return RANK[next] > RANK[current];
}
