import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule, EventBus } from '@nestjs/cqrs';
import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { Container } from 'inversify';
import { LoggerModule } from 'nestjs-pino';
import type pino from 'pino';
import { AUTH_SETTINGS, JwtAuthGuard } from '../../interfaces/http/auth/jwt-auth.guard';
import { ApiExceptionFilter } from '../../interfaces/http/errors/api-exception.filter';
import { EVENT_STREAMS } from '../../interfaces/http/events/event-stream';
import { HealthController } from '../../interfaces/http/health.controller';
import { SERVICE_OPERATIONS, ServiceOperations } from '../../interfaces/http/operations/service-operations';
import { pinoHttpOptions } from '../logging/logger';
import { CORE_CONTAINER, CqrsRegistrar } from './cqrs-registrar';
import { HTTP_CONTROLLERS, interfaceProviders } from './interface-providers';
import { connectRealtime } from './modules/realtime.module';

export interface AppModuleOptions {
  readonly container: Container;
  readonly jwtSecret: string;
  /** The service's logger: requests and Nest's own lines go through it. */
  readonly logger: pino.Logger;
  /** Readiness and metrics of this instance (`GET /health/ready`, `GET /metrics`). */
  readonly operations: ServiceOperations;
}

/** The Nest root module: edges only. Use cases and adapters come from the core container. */
@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        EventEmitterModule.forRoot({ wildcard: false, maxListeners: 0 }),
        LoggerModule.forRoot({ pinoHttp: pinoHttpOptions(options.logger) }),
      ],
      controllers: [HealthController, ...HTTP_CONTROLLERS],
      providers: [
        { provide: CORE_CONTAINER, useValue: options.container },
        { provide: AUTH_SETTINGS, useValue: { jwtSecret: options.jwtSecret } },
        { provide: SERVICE_OPERATIONS, useValue: options.operations },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        CqrsRegistrar,
        { provide: EVENT_STREAMS, useFactory: (emitter: EventEmitter2, bus: EventBus) => connectRealtime(options.container, emitter, bus), inject: [EventEmitter2, EventBus] },
        ...interfaceProviders(options.container),
      ],
    };
  }
}
