import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, HttpStatus, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '../auth/viewer';
import { ApiError } from '../errors/api-error';
import { ReadinessReport, SERVICE_OPERATIONS, ServiceOperations } from './service-operations';

@Controller()
export class OperationsController {
  constructor(@Inject(SERVICE_OPERATIONS) private readonly operations: ServiceOperations) {}

  /** Readiness (the load balancer's check); `GET /health` stays the liveness check. */
  @Get('health/ready')
  @Public()
  async ready(@Res({ passthrough: true }) response: Response): Promise<ReadinessReport> {
    const report = await this.operations.readiness();
    response.status(report.status === 'ready' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return report;
  }

  @Get('metrics')
  @Public()
  async metrics(@Req() request: Request, @Res() response: Response): Promise<void> {
    const token = this.operations.metricsToken;
    if (token !== null && !sameSecret(bearerOf(request), token)) {
      throw new ApiError(HttpStatus.UNAUTHORIZED, 'AUTH.UNAUTHENTICATED', 'the metrics token is required');
    }
    const { contentType, body } = await this.operations.metrics();
    // Exactly prom-client's content type (Express's send would rewrite its charset).
    response.status(HttpStatus.OK).setHeader('Content-Type', contentType);
    response.end(body);
  }
}

function bearerOf(request: Request): string {
  const header = request.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
