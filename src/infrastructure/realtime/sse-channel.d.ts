// Types for sse-channel 4 (the package ships none): the parts the SSE hub uses.
declare module 'sse-channel' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface SseChannelOptions {
    historySize?: number;
    retryTimeout?: number;
    pingInterval?: number;
    jsonEncode?: boolean;
  }

  interface SseMessage {
    id?: string | number;
    event?: string;
    data?: string;
    retry?: number;
  }

  class SseChannel {
    constructor(options?: SseChannelOptions);
    addClient(req: IncomingMessage, res: ServerResponse, callback?: () => void): void;
    removeClient(res: ServerResponse): void;
    getConnectionCount(): number;
    /** With `clients`, only those get it and the channel's history is bypassed. */
    send(message: SseMessage | string, clients?: ServerResponse[]): void;
    close(): void;
  }

  export = SseChannel;
}
