import { Connection } from 'mongoose';
import { DeliveryHooks } from '../../application/delivery/delivery-processor';
import { Clock } from '../../application/ports/clock.port';
import { SendMetrics } from '../../application/ports/send-metrics.port';
import { ServiceEnvironment } from '../config/service-environment';

export interface CoreDependencies {
  readonly connection: Connection;
  readonly environment: ServiceEnvironment;
  /** The resolved public base URL (API_URL, or http://localhost:<port>). */
  readonly apiUrl: string;
  /** The master account actually used (env, or the embedded emulator's). */
  readonly masterAccount: { accountSid: string; authToken: string } | null;
  readonly twilioApiUrl: string | null;
  readonly reportError: (error: unknown) => void;
  readonly warn: (message: string, context?: Record<string, unknown>) => void;
  /** Routine reports of background work (e.g. what a sweep removed); none when absent. */
  readonly info?: (message: string, context?: Record<string, unknown>) => void;
  /** How often the provisioning worker looks for due work. */
  readonly provisioningIntervalMs?: number;
  /** Tests replace the Twilio adapter's options (e.g. a short timeout). */
  readonly twilioTimeoutMs?: number;
  /** Tests swap the clock. */
  readonly clock?: Clock;
  /** Test-only seams of the delivery process (e.g. a worker "killed" after Twilio accepted a send). */
  readonly deliveryHooks?: DeliveryHooks;
  /** Counts the delivery workers' Twilio calls (the instance's metrics). */
  readonly sendMetrics?: SendMetrics;
}
