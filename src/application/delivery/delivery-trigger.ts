/** Asks the delivery workers of this instance to look for due messages now (fire and forget). */
export interface DeliveryTrigger {
  kick(): void;
}
