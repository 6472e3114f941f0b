/** `node dist/emulator/main.js`: runs the Twilio emulator on PORT (default 4010). */
import { startTwilioEmulator } from './twilio-emulator';

async function main(): Promise<void> {
  const port = Number(process.env['PORT'] ?? 4010);
  const sid = process.env['TWILIO_ACCOUNT_SID'];
  const token = process.env['TWILIO_AUTH_TOKEN'];
  const emulator = await startTwilioEmulator({
    port,
    host: process.env['EMULATOR_HOST'] ?? '127.0.0.1',
    senderOnlineDelayMs: Number(process.env['SENDER_ONLINE_DELAY_MS'] ?? 5000),
    messageLifecycle: { stepDelayMs: Number(process.env['EMULATOR_STEP_DELAY_MS'] ?? 500), finalStatus: 'read', sendCallbacks: true },
    failMarker: '#fail',
    ...(process.env['EMULATOR_STATE_FILE'] ? { stateFile: process.env['EMULATOR_STATE_FILE'] } : {}),
    ...(sid !== undefined && token !== undefined ? { masterAccount: { sid, token } } : {}),
  });
  process.stdout.write(
    [
      `Twilio emulator listening on ${emulator.url} (simulator: POST ${emulator.url}/_simulator/inbound)`,
      `TWILIO_API_URL=${emulator.url}`,
      `TWILIO_ACCOUNT_SID=${emulator.masterAccount.accountSid}`,
      `TWILIO_AUTH_TOKEN=${emulator.masterAccount.authToken}`,
      '',
    ].join('\n'),
  );
  const stop = (): void => {
    void emulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
