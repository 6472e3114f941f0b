import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Viewer } from '../../../application/ports/notification.port';
import { ListTemplatesQuery, TemplateListView } from '../../../application/template/list-templates/list-templates.query';
import { CurrentViewer, Roles } from '../auth/viewer';
import { parseWith } from '../validation/zod-body';
import { listTemplatesQuery } from './template.schemas';

/** Documented in `templates.routes.ts`. */
@Controller('integrations')
export class TemplatesController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Get(':id/templates')
  @Roles('admin', 'agent')
  async list(@CurrentViewer() viewer: Viewer, @Param('id') id: string, @Query() raw: unknown) {
    const query = parseWith(listTemplatesQuery, raw, 'query');
    const view = await this.queries.execute<ListTemplatesQuery, TemplateListView>(new ListTemplatesQuery(viewer.companyId, id, query.refresh));
    return { items: view.items, nextCursor: null, fetchedAt: view.fetchedAt.toISOString() };
  }
}
