import { Type } from '@nestjs/common';
import { Container } from 'inversify';
import { CoreDependencies } from './core-dependencies';

type Class<T = unknown> = abstract new (...args: never[]) => T;

export interface HandlerBinding {
  /** The command or query class the bus routes on. */
  readonly message: Class;
  /** The plain handler class; the core container builds its instance. */
  readonly handler: Class<{ execute(message: never): Promise<unknown> }>;
}

/** A background loop the service runs (delivery, event-log tailing, ...). */
export interface BackgroundWorker {
  start(): void;
  /** Stops and waits for the work under way. */
  stop(): Promise<void>;
}

/**
 * One capability's wiring: its adapters and handlers bound into the core container, the
 * handlers routed by the Nest buses, its controllers, its background workers and the
 * indexes its collections need. Each capability owns one file in `modules/`.
 */
export interface CoreModule {
  readonly name: string;
  readonly commands: readonly HandlerBinding[];
  readonly queries: readonly HandlerBinding[];
  readonly controllers: readonly Type[];
  bind(container: Container, deps: CoreDependencies): void;
  /** Idempotent; run at start before any request. */
  ensureIndexes?(container: Container): Promise<void>;
  /** Started with the service unless a test asks for no workers; stopped first on shutdown. */
  workers?(container: Container): BackgroundWorker[];
}
