import { DatabaseHealth } from '../../../src/application/ports/database-health.port';
import { ServiceLifecycle } from '../../../src/infrastructure/di/service-lifecycle';
import { ServiceMetrics } from '../../../src/infrastructure/observability/service-metrics';

/** A database that answers (or not) as the test says: the port, not the driver. */
const database = (up: boolean): DatabaseHealth => ({
  check: async () => (up ? { up: true, latencyMs: 1 } : { up: false, latencyMs: null, error: 'connection refused' }),
});

describe('readiness', () => {
  it('is not ready while starting, ready once the workers run, and not ready again from the first signal on', async () => {
    const lifecycle = new ServiceLifecycle(database(true), new ServiceMetrics(), null);
    expect(await lifecycle.readiness()).toMatchObject({ status: 'not_ready', reasons: ['background workers are not running'], workers: 'not_running' });
    lifecycle.running(true);
    expect(await lifecycle.readiness()).toEqual({ status: 'ready', reasons: [], database: { status: 'up', latencyMs: 1 }, workers: 'running' });
    lifecycle.beginStopping();
    lifecycle.running(true); // a late start-up step does not make a stopping instance ready
    expect(await lifecycle.readiness()).toMatchObject({ status: 'not_ready', reasons: ['shutting down'], workers: 'stopping' });
  });

  it('is not ready, naming the database, when the database does not answer', async () => {
    const lifecycle = new ServiceLifecycle(database(false), new ServiceMetrics(), null);
    lifecycle.running(true);
    expect(await lifecycle.readiness()).toEqual({
      status: 'not_ready',
      reasons: ['database unreachable: connection refused'],
      database: { status: 'down', latencyMs: null, error: 'connection refused' },
      workers: 'running',
    });
  });
});
