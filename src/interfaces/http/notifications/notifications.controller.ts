import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ListNotificationsQuery, MarkNotificationReadCommand } from '../../../application/notification/notification-queries';
import type { NotificationView, Viewer } from '../../../application/ports/notification.port';
import { CurrentViewer, Roles } from '../auth/viewer';
import { parseWith } from '../validation/zod-body';

const listQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).optional() });

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
  ) {}

  @Get()
  @Roles('admin', 'agent')
  async list(@CurrentViewer() viewer: Viewer, @Query() raw: unknown) {
    const { limit } = parseWith(listQuery, raw);
    const views = await this.queries.execute<ListNotificationsQuery, NotificationView[]>(new ListNotificationsQuery(viewer, limit ?? 50));
    return views.map((n) => ({ ...n, createdAt: n.createdAt.toISOString() }));
  }

  @Post(':id/read')
  @Roles('admin', 'agent')
  @HttpCode(204)
  async markRead(@CurrentViewer() viewer: Viewer, @Param('id') id: string): Promise<void> {
    await this.commands.execute(new MarkNotificationReadCommand(viewer, id));
  }
}
