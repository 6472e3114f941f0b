import { NotFoundError } from '../../domain/shared/domain-error';
import { NotificationStore, NotificationView, Viewer } from '../ports/notification.port';
import { checkedPageSize, decodeCursor, encodeCursor, Page } from '../ticket/pagination';

export class ListNotificationsQuery {
  constructor(
    readonly viewer: Viewer,
    readonly cursor: string | null,
    readonly limit: number | null,
  ) {}
}

/** Newest first, one page at a time, like every list of the API. */
export class ListNotificationsHandler {
  constructor(private readonly notifications: NotificationStore) {}

  async execute(query: ListNotificationsQuery): Promise<Page<NotificationView>> {
    const limit = checkedPageSize(query.limit);
    const after = query.cursor === null ? null : decodeCursor('notifications', query.cursor);
    const found = await this.notifications.listFor(query.viewer, limit + 1, after);
    const items = found.slice(0, limit);
    const last = items[items.length - 1];
    const more = found.length > limit && last !== undefined;
    return { items, nextCursor: more ? encodeCursor('notifications', { at: last.createdAt, id: last.id }) : null };
  }
}

export class MarkNotificationReadCommand {
  constructor(
    readonly viewer: Viewer,
    readonly notificationId: string,
  ) {}
}

export class MarkNotificationReadHandler {
  constructor(private readonly notifications: NotificationStore) {}

  async execute(command: MarkNotificationReadCommand): Promise<void> {
    if (!(await this.notifications.markRead(command.viewer, command.notificationId))) {
      throw new NotFoundError('notification', command.notificationId);
    }
  }
}
