/**
 * Paces sends per WhatsApp sender number across every instance (Twilio's per-sender
 * throughput). The reservation is durable and shared through the database.
 */
export interface SendRateLimiter {
  /** Reserves the next free send slot of `senderNumber` at `perSecond`; resolves to when the send may start. */
  reserve(senderNumber: string, perSecond: number): Promise<Date>;
}
