export { startTwilioEmulator } from './twilio-emulator';
export type {
  TwilioEmulator,
  TwilioEmulatorOptions,
  InboundMessageInput,
  InboundDeliveryResult,
  WebhookSendOptions,
} from './twilio-emulator';
export type { FaultSpec, FaultHandle, EmulatorEndpoint } from './emulator-faults';
export type { WebhookDelivery } from './emulator-webhooks';
export type { MessageLifecycleOptions } from './emulator-message-lifecycle';
export { seedDemoTemplates } from './emulator-demo-templates';
export type {
  EmulatorState,
  AccountRecord,
  NumberRecord,
  SenderRecord,
  ContentRecord,
  ContentTemplateInput,
  MessageRecord,
  MediaRecord,
  SentMessageLog,
  WebhookLog,
  RequestLog,
  CdnRequestLog,
} from './emulator-state';
