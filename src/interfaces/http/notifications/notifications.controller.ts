import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ListNotificationsQuery, MarkNotificationReadCommand } from '../../../application/notification/notification-queries';
import type { NotificationView, Viewer } from '../../../application/ports/notification.port';
import { Page } from '../../../application/ticket/pagination';
import { CurrentViewer, Roles } from '../auth/viewer';
import { parseWith } from '../validation/zod-body';
import { listNotificationsQuery } from './notification.schemas';

/** Documented in `notifications.routes.ts`. */
@Controller('notifications')
export class NotificationsController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
  ) {}

  @Get()
  @Roles('admin', 'agent')
  async list(@CurrentViewer() viewer: Viewer, @Query() raw: unknown) {
    const { cursor, limit } = parseWith(listNotificationsQuery, raw, 'query');
    const page = await this.queries.execute<ListNotificationsQuery, Page<NotificationView>>(new ListNotificationsQuery(viewer, cursor ?? null, limit ?? null));
    return { items: page.items.map((n) => ({ ...n, createdAt: n.createdAt.toISOString() })), nextCursor: page.nextCursor };
  }

  @Post(':id/read')
  @Roles('admin', 'agent')
  @HttpCode(204)
  async markRead(@CurrentViewer() viewer: Viewer, @Param('id') id: string): Promise<void> {
    await this.commands.execute(new MarkNotificationReadCommand(viewer, id));
  }
}
