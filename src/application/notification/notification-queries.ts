import { NotFoundError } from '../../domain/shared/domain-error';
import { NotificationStore, NotificationView, Viewer } from '../ports/notification.port';

export class ListNotificationsQuery {
  constructor(
    readonly viewer: Viewer,
    readonly limit: number,
  ) {}
}

export class ListNotificationsHandler {
  constructor(private readonly notifications: NotificationStore) {}

  execute(query: ListNotificationsQuery): Promise<NotificationView[]> {
    return this.notifications.listFor(query.viewer, query.limit);
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
