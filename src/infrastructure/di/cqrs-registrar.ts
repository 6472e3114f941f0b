import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { CommandBus, CommandHandler, QueryBus, QueryHandler } from '@nestjs/cqrs';
import { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { Container } from 'inversify';
import { COMMAND_HANDLERS, HandlerBinding, QUERY_HANDLERS } from './handler-registry';

export const CORE_CONTAINER = Symbol('CORE_CONTAINER');

/**
 * Registers the core's plain handlers (built by inversify) with Nest's buses. The
 * `CommandHandler(X)(H)` calls only write routing metadata onto H; the instance comes
 * from the core container, so core classes carry no Nest decorators.
 */
@Injectable()
export class CqrsRegistrar implements OnModuleInit {
  constructor(
    @Inject(CommandBus) private readonly commandBus: CommandBus,
    @Inject(QueryBus) private readonly queryBus: QueryBus,
    @Inject(CORE_CONTAINER) private readonly container: Container,
  ) {}

  onModuleInit(): void {
    this.commandBus.register(COMMAND_HANDLERS.map((b) => this.wrap(b, CommandHandler)));
    this.queryBus.register(QUERY_HANDLERS.map((b) => this.wrap(b, QueryHandler)));
  }

  private wrap(binding: HandlerBinding, decorate: (message: never) => ClassDecorator): InstanceWrapper {
    decorate(binding.message as never)(binding.handler as never);
    return new InstanceWrapper({
      name: binding.handler.name,
      metatype: binding.handler as never,
      instance: this.container.get(binding.handler as never),
      isResolved: true,
    });
  }
}
