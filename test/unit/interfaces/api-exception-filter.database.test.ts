import type { ArgumentsHost } from '@nestjs/common';
import { ApiExceptionFilter } from '../../../src/interfaces/http/errors/api-exception.filter';

/** The database being away is the client's "try again" (503), whatever driver error says so. */

function answerTo(exception: unknown): { status: number; body: unknown } {
  const answer = { status: 0, body: undefined as unknown };
  const response = {
    headersSent: false,
    status(code: number) {
      answer.status = code;
      return this;
    },
    json(body: unknown) {
      answer.body = body;
      return this;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
  const filter = new ApiExceptionFilter();
  (filter as unknown as { logger: { error: () => void } }).logger = { error: () => undefined };
  filter.catch(exception, host);
  return answer;
}

function driverError(name: string): Error {
  const error = new Error('connection to 127.0.0.1:27017 closed');
  error.name = name;
  return error;
}

it.each([
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNetworkError',
  'MongoNotConnectedError',
  'MongoNetworkTimeoutError',
  'MongoServerClosedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
])(
  '%s answers 503 SERVICE.DATABASE_UNAVAILABLE, without the driver message',
  (name) => {
    const answer = answerTo(driverError(name));
    expect(answer).toEqual({ status: 503, body: { error: { code: 'SERVICE.DATABASE_UNAVAILABLE', message: 'the database is unreachable; try again shortly' } } });
  },
);

it('another driver error stays a 500', () => {
  expect(answerTo(driverError('MongoServerError')).status).toBe(500);
});

it('an insertMany cut off with its connection (a bulk error with no document refused) answers 503', () => {
  const cutOff = Object.assign(driverError('MongoBulkWriteError'), { writeErrors: [] });
  expect(answerTo(cutOff).status).toBe(503);
});

it('a bulk error that refused a document stays a 500 (a bug, not an outage)', () => {
  const refused = Object.assign(driverError('MongoBulkWriteError'), { writeErrors: [{ code: 11000, index: 0 }] });
  expect(answerTo(refused).status).toBe(500);
});

it('an error caused by the database being away answers 503', () => {
  const wrapped = new Error('event log append failed', { cause: driverError('MongoNetworkError') });
  expect(answerTo(wrapped).status).toBe(503);
});

it("the driver's unwrapped socket error when the server closed the connection (EPIPE) answers 503", () => {
  const epipe = Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' });
  expect(answerTo(epipe).status).toBe(503);
});
