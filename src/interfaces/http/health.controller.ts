import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { Response } from 'express';
import { CheckHealthQuery, HealthReport } from '../../application/health/check-health.query';
import { Public } from './auth/viewer';

@Controller()
export class HealthController {
  constructor(@Inject(QueryBus) private readonly queryBus: QueryBus) {}

  /** Liveness and readiness in one: 200 when the database answers, 503 when it does not. */
  @Get('health')
  @Public()
  async health(@Res({ passthrough: true }) response: Response): Promise<HealthReport> {
    const report = await this.queryBus.execute<CheckHealthQuery, HealthReport>(new CheckHealthQuery());
    response.status(report.status === 'ok' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }
}
