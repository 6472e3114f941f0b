import { PassThrough } from 'node:stream';
import type { LoggerService } from '@nestjs/common';
import { QuietNestLogger, createLogger, logFormat } from '../../../src/infrastructure/logging/logger';

const capture = () => {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return { stream, text: () => chunks.join('') };
};

describe('log format', () => {
  it('is pretty on a terminal, JSON otherwise, and LOG_FORMAT decides when set', () => {
    expect(logFormat({}, { isTTY: true })).toBe('pretty');
    expect(logFormat({}, { isTTY: false })).toBe('json');
    expect(logFormat({}, {})).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'json' }, { isTTY: true })).toBe('json');
    expect(logFormat({ LOG_FORMAT: 'PRETTY' }, {})).toBe('pretty');
  });

  it('pretty: one readable line per entry, secrets redacted', () => {
    const out = capture();
    const log = createLogger({ format: 'pretty', destination: out.stream });
    log.info({ port: 3000, authToken: 'tok_secret_value' }, 'zapdesk is listening');
    const lines = out.text().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: zapdesk is listening \{"port":3000,"authToken":"\[redacted\]"\}$/);
  });

  it('json: one JSON object per line', () => {
    const out = capture();
    createLogger({ format: 'json', destination: out.stream }).warn({ signal: 'SIGINT' }, 'shutting down');
    expect(JSON.parse(out.text())).toMatchObject({ level: 40, msg: 'shutting down', signal: 'SIGINT' });
  });
});

describe("Nest's logger", () => {
  it('moves route mapping and module loading lines to debug, keeps the rest', () => {
    const calls: Array<[string, unknown[]]> = [];
    const inner: LoggerService = {
      log: (...args: unknown[]) => calls.push(['log', args]),
      debug: (...args: unknown[]) => calls.push(['debug', args]),
      warn: (...args: unknown[]) => calls.push(['warn', args]),
      error: (...args: unknown[]) => calls.push(['error', args]),
    };
    const logger = new QuietNestLogger(inner);
    logger.log('Mapped {/tickets, GET} route', 'RouterExplorer');
    logger.log('TicketsController {/tickets}:', 'RoutesResolver');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('Nest application successfully started', 'NestApplication');
    logger.warn('careful', 'Somewhere');
    expect(calls.map(([level, args]) => [level, args[args.length - 1]])).toEqual([
      ['debug', 'RouterExplorer'],
      ['debug', 'RoutesResolver'],
      ['debug', 'InstanceLoader'],
      ['log', 'NestApplication'],
      ['warn', 'Somewhere'],
    ]);
  });
});
