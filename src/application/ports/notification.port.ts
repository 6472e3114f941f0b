import type { SortKey } from './ticket-read-model.port';

export type NotificationKind = 'integration_error' | 'integration_recovered' | 'low_balance' | 'webhook_drift' | 'message_failed';

export interface NotificationRecipient {
  /** Everyone with this role in the company... */
  readonly role?: 'admin' | 'agent';
  /** ...or one user. */
  readonly userId?: string;
}

export interface NewNotification {
  readonly companyId: string;
  readonly recipient: NotificationRecipient;
  readonly kind: NotificationKind;
  /** Id of what it is about (integration id, message id). */
  readonly subjectId: string;
  /** Human-readable text; never contains secrets. */
  readonly message: string;
  /** Deduplication: a second notification with the same key is not stored (retried saga steps). */
  readonly dedupeKey?: string;
}

export interface NotificationView {
  readonly id: string;
  readonly companyId: string;
  readonly recipient: NotificationRecipient;
  readonly kind: NotificationKind;
  readonly subjectId: string;
  readonly message: string;
  readonly read: boolean;
  readonly createdAt: Date;
}

export interface Viewer {
  readonly companyId: string;
  readonly userId: string;
  readonly role: 'admin' | 'agent';
}

export interface NotificationStore {
  /** Stores it (once per dedupeKey) and returns it; null when a duplicate was skipped. */
  add(notification: NewNotification): Promise<NotificationView | null>;
  /**
   * The viewer's notifications (for their role or for them), newest first: (createdAt, id)
   * descending, after `after` (the sort key of the last one already seen) when given.
   */
  listFor(viewer: Viewer, limit: number, after?: SortKey | null): Promise<NotificationView[]>;
  /** Marks one of the viewer's notifications read; false when it is not theirs / absent. */
  markRead(viewer: Viewer, id: string): Promise<boolean>;
}
