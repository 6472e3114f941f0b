import type { IncomingMessage, ServerResponse } from 'node:http';
import { ServiceMetrics, WebhookRoute } from './service-metrics';

/** Twilio's webhook paths (query strings aside) and their metric label. */
const WEBHOOK_ROUTES: Readonly<Record<string, WebhookRoute>> = {
  '/ticket-messages/webhook': 'inbound',
  '/ticket-messages/status': 'status',
};

/** Express middleware: counts and times every answer to Twilio's webhooks, by route and outcome. */
export function webhookMetrics(metrics: ServiceMetrics) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const route = req.method === 'POST' ? WEBHOOK_ROUTES[(req.url ?? '').split('?')[0]!] : undefined;
    if (route) {
      const started = process.hrtime.bigint();
      res.once('finish', () => metrics.webhookAnswered(route, res.statusCode, Number(process.hrtime.bigint() - started) / 1e9));
    }
    next();
  };
}
