import { nthNumber, runSimulateCommand } from '../../../src/emulator/simulator/simulate-command';

/** The CLI's arguments and outcome, with a stand-in emulator (the e2e tests use the real one). */
function harness(answer: (body: Record<string, string>) => { status: number; json: unknown } = () => ({ status: 200, json: { messageSid: 'SM1', to: '+14155238886', from: '+5511999990000', webhookStatus: 200 } })) {
  const requests: Array<Record<string, string>> = [];
  const out: string[] = [];
  const err: string[] = [];
  const fakeFetch = (async (_url: string, init: { body: string }) => {
    const body = JSON.parse(init.body) as Record<string, string>;
    requests.push(body);
    const { status, json } = answer(body);
    return new Response(JSON.stringify(json), { status, headers: { 'Content-Type': 'application/json' } });
  }) as unknown as typeof fetch;
  const run = (args: string[], emulator: { url: string } | { error: string } = { url: 'http://127.0.0.1:4010' }) =>
    runSimulateCommand(args, { emulatorUrl: () => emulator, out: (l) => out.push(l), err: (l) => err.push(l), fetch: fakeFetch });
  return { run, requests, out, err };
}

describe('npm run simulate', () => {
  it('sends "Olá" from the default customer when nothing is given', async () => {
    const h = harness();
    expect(await h.run([])).toBe(0);
    expect(h.requests).toEqual([{ from: '+5511999990000', body: 'Olá' }]);
    expect(h.out).toEqual(['SM1 +5511999990000 -> +14155238886: Zapdesk answered 200']);
  });

  it('passes --to, --media and --profile-name through; a media message needs no body', async () => {
    const h = harness();
    expect(await h.run(['--to', 'whatsapp:+14155238886', '--media', 'http://x/y.jpg', '--profile-name', 'Ana'])).toBe(0);
    expect(h.requests).toEqual([{ from: '+5511999990000', to: '+14155238886', mediaUrl: 'http://x/y.jpg', profileName: 'Ana' }]);
  });

  it('spreads --count messages over --contacts customers, numbered', async () => {
    const h = harness();
    expect(await h.run(['--count', '4', '--rate', '1000', '--contacts', '2', '--from', '+5511999990009', '--body', 'oi'])).toBe(0);
    expect(h.requests.map((r) => [r['from'], r['body'], r['profileName']])).toEqual([
      ['+5511999990009', 'oi (1/4)', 'Customer 1'],
      ['+5511999990010', 'oi (2/4)', 'Customer 2'],
      ['+5511999990009', 'oi (3/4)', 'Customer 1'],
      ['+5511999990010', 'oi (4/4)', 'Customer 2'],
    ]);
    expect(h.out.at(-1)).toMatch(/^4 messages from 2 customer\(s\) in [\d.]+ s: 4 accepted by Zapdesk, 0 not$/);
  });

  it('exits 1 when Zapdesk did not answer 2xx or the simulator refused, 2 on bad arguments, 3 without an emulator', async () => {
    expect(await harness(() => ({ status: 200, json: { messageSid: 'SM1', webhookStatus: 403 } })).run([])).toBe(1);
    const refused = harness(() => ({ status: 409, json: { error: { code: 'SIMULATOR.NO_NUMBER', message: 'no number' } } }));
    expect(await refused.run([])).toBe(1);
    expect(refused.err[0]).toContain('no number');
    for (const args of [['--from', '123'], ['--count', '0'], ['--rate', 'fast'], ['--bogus']]) expect(await harness().run(args)).toBe(2);
    const none = harness();
    expect(await none.run([], { error: 'start it with npm start' })).toBe(3);
    expect(none.err).toEqual(['start it with npm start']);
    expect(none.requests).toEqual([]);
  });

  it('counts customer numbers up from --from', () => {
    expect(nthNumber('+5511999990000', 0)).toBe('+5511999990000');
    expect(nthNumber('+5511999990099', 1)).toBe('+5511999990100');
  });
});
