import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../auth/viewer';

export const CONSOLE_CONFIG = Symbol('CONSOLE_CONFIG');

/**
 * What the agent console needs to know about this run. Both fields are null unless the service
 * runs the embedded demo default (no MONGODB_URI, no Twilio account): only then does this
 * public route hand out the demo company's tokens, for the console's "sign in as demo" buttons.
 */
export interface ConsoleConfig {
  /** The embedded emulator's simulator (`POST {simulatorUrl}/inbound`); null with a real Twilio account. */
  readonly simulatorUrl: string | null;
  readonly demo: { readonly adminToken: string; readonly agentToken: string } | null;
}

@ApiExcludeController()
@Controller('console')
export class ConsoleConfigController {
  constructor(@Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig) {}

  @Get('config.json')
  @Public()
  @Header('Cache-Control', 'no-store')
  consoleConfig(): ConsoleConfig {
    return this.config;
  }
}
