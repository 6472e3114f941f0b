import { EventLog } from '../../application/ports/event-log.port';
import { NewNotification, NotificationStore, NotificationView, Viewer } from '../../application/ports/notification.port';
import { SortKey } from '../../application/ports/ticket-read-model.port';
import { notificationCreated } from '../../application/realtime/realtime-events';

type IndexedNotificationStore = NotificationStore & { ensureIndexes?(): Promise<void> };

/**
 * Adds `notification.created` to the event log for every stored (not deduplicated)
 * notification, addressed like the notification itself (a role or one user).
 */
export class RealtimeNotificationStore implements NotificationStore {
  constructor(
    private readonly inner: IndexedNotificationStore,
    private readonly log: EventLog,
  ) {}

  async add(notification: NewNotification): Promise<NotificationView | null> {
    const view = await this.inner.add(notification);
    if (view) await this.log.append([notificationCreated(view)]);
    return view;
  }

  listFor(viewer: Viewer, limit: number, after?: SortKey | null): Promise<NotificationView[]> {
    return this.inner.listFor(viewer, limit, after);
  }

  markRead(viewer: Viewer, id: string): Promise<boolean> {
    return this.inner.markRead(viewer, id);
  }

  /** The composition root creates the store's indexes through this binding. */
  async ensureIndexes(): Promise<void> {
    await this.inner.ensureIndexes?.();
  }
}
