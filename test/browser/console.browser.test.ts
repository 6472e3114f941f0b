import jwt from 'jsonwebtoken';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildConsole } from '../../scripts/build-console';
import { startTwilioEmulator, type TwilioEmulator } from '../../src/emulator/twilio-emulator';
import { CHROMIUM_PATH, chromiumAvailable, launchChromium, screenshotPath, type Browser } from '../support/browser/browser';
import { SAMPLE_PNG, startTestSimulator, type TestSimulator } from '../support/browser/test-simulator';
import { TEST_JWT_SECRET, eventually } from '../support/e2e/test-service';
import { publicUrl, type ConnectedNumber } from '../support/e2e/whatsapp-fixtures';
import { FAST_DELIVERY_ENV, connectExistingNumber, customerWrites, sendsTo, startOutboundService, type TestService } from '../e2e/outbound-support';

/**
 * The agent console in a real browser (Debian's chromium driven by playwright-core) against the
 * real service, its database and the Twilio emulator: what a person sees and does. Screenshots
 * go to artifacts/screenshots/ (git-ignored).
 */

jest.setTimeout(120_000);

const COMPANY = 'acme';
const sign = (sub: string, role: 'admin' | 'agent') => jwt.sign({ sub, companyId: COMPANY, role }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' });
const AGENT_TOKEN = sign('agent-ana', 'agent');
const ADMIN_TOKEN = sign('admin-alice', 'admin');

/** What the tests touch of the page's window (this file compiles without the DOM library). */
interface BrowserWindow {
  localStorage: { setItem(key: string, value: string): void };
  notReloaded?: boolean;
}

const available = chromiumAvailable();
if (!available) {
  process.stderr.write(`\nbrowser tests SKIPPED: no chromium at ${CHROMIUM_PATH} (install it with: apt-get install -y chromium; or set CHROMIUM_PATH)\n\n`);
}
const describeInBrowser = available ? describe : describe.skip;

describeInBrowser('agent console (chromium)', () => {
  let emulator: TwilioEmulator;
  let simulator: TestSimulator;
  let t: TestService;
  let number: ConnectedNumber;
  let browser: Browser;
  let consoleDirectory: string | undefined;

  beforeAll(async () => {
    // Its own copy: \`npm start\` in another test (npm-start e2e) may rebuild dist/ meanwhile.
    consoleDirectory = await buildConsole({ quiet: true, outdir: await mkdtemp(join(tmpdir(), 'zapdesk-console-')) });
    // The emulator moves every send along queued → sent → delivered → read, with callbacks.
    emulator = await startTwilioEmulator({ senderOnlineDelayMs: 50, messageLifecycle: { stepDelayMs: 250, finalStatus: 'read' } });
    simulator = await startTestSimulator({ emulator, serviceUrl: () => publicUrl(t), defaultTo: () => number.number });
    t = await startOutboundService({
      sharedEmulator: emulator,
      env: FAST_DELIVERY_ENV,
      service: { consoleConfig: { simulatorUrl: simulator.url, demo: { adminToken: ADMIN_TOKEN, agentToken: AGENT_TOKEN } }, consoleDirectory },
    });
    number = await connectExistingNumber(t, COMPANY, '+14155550100');
    // The number's WhatsApp templates (Content API): a template send is checked against them.
    emulator.state.addContent(number.accountSid, {
      sid: 'HX' + 'ab12'.repeat(8),
      friendlyName: 'retomar_conversa',
      language: 'pt_BR',
      variables: { '1': 'Maria' },
      types: { 'twilio/text': { body: 'Olá {{1}}! Ainda podemos ajudar?' } },
    });
    emulator.state.addContent(number.accountSid, {
      sid: 'HX' + 'cd34'.repeat(8),
      friendlyName: 'pedido_enviado',
      language: 'pt_BR',
      variables: { '1': 'Ana', '2': '#1042' },
      types: { 'twilio/text': { body: 'Oi {{1}}, o pedido {{2}} foi enviado.' } },
    });
    emulator.state.addContent(number.accountSid, {
      friendlyName: 'promocao',
      language: 'pt_BR',
      types: { 'twilio/text': { body: 'Promoção!' } },
      approvalStatus: 'pending',
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await simulator?.close();
    await emulator?.close();
    if (consoleDirectory) await rm(consoleDirectory, { recursive: true, force: true });
  });

  /** A fresh tab (its own sessionStorage: signed out) that records what the page requested and any script error. */
  async function openConsole(lang: 'en' | 'pt' = 'en') {
    const page = await browser.context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => errors.push(error.message));
    await page.addInitScript((value) => (globalThis as unknown as BrowserWindow).localStorage.setItem('zapdesk.console.lang', value), lang);
    await page.goto(`${t.service.url}/console/`);
    return { page, requests, errors };
  }

  async function signInAsDemoAgent(page: Page) {
    await page.getByRole('button', { name: 'Sign in as the demo agent' }).click();
    await page.getByRole('heading', { name: 'Tickets' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
  }

  function tokensInUrls(requests: readonly string[]): string[] {
    // The only URL a token may appear in is the event stream's (?access_token=, EventSource).
    return requests.filter((url) => (url.includes(AGENT_TOKEN) || url.includes(ADMIN_TOKEN)) && new URL(url).pathname !== '/events');
  }

  it('agent: a simulated customer message appears live, the reply reaches the emulator and its tick reaches read', async () => {
    const { page, requests, errors } = await openConsole();
    await page.getByRole('button', { name: 'Sign in as the demo agent' }).waitFor();
    await page.screenshot({ path: screenshotPath('0-sign-in') });
    await signInAsDemoAgent(page);
    await page.getByText('No tickets yet').waitFor();
    await page.evaluate(() => ((globalThis as unknown as BrowserWindow).notReloaded = true));

    // The simulator panel plays two customers (the first with a photo).
    await page.getByRole('button', { name: 'Simulate a customer' }).click();
    await page.getByLabel('Customer number').fill('+5511987650001');
    await page.getByLabel('Customer name').fill('Maria Souza');
    await page.getByLabel('Message', { exact: true }).fill('Olá! Meu pedido #1042 ainda não chegou.');
    await page.getByLabel('Media URL (optional)').fill(`${simulator.url}/sample.png`);
    await page.getByRole('button', { name: 'Send as customer' }).click();
    await page.getByText('the webhook answered 200').waitFor();
    const maria = page.locator('button.ticket', { hasText: 'Maria Souza' });
    await maria.waitFor();
    await maria.locator('.badge', { hasText: '1' }).waitFor();

    await page.getByLabel('Customer number').fill('+5511987650002');
    await page.getByLabel('Customer name').fill('João Lima');
    await page.getByLabel('Message', { exact: true }).fill('Vocês entregam no sábado?');
    await page.getByLabel('Media URL (optional)').fill('');
    await page.getByRole('button', { name: 'Send as customer' }).click();
    await page.locator('button.ticket', { hasText: 'João Lima' }).waitFor();
    await page.getByRole('button', { name: 'Close simulator' }).click();
    // Both arrived over SSE: the page was never reloaded.
    expect(await page.evaluate(() => (globalThis as unknown as BrowserWindow).notReloaded)).toBe(true);
    await page.screenshot({ path: screenshotPath('1-ticket-list') });

    // Open Maria's conversation: her text and photo (fetched through Zapdesk with the bearer header).
    await maria.click();
    await page.getByRole('log').getByText('Meu pedido #1042 ainda não chegou').waitFor();
    const photo = page.getByRole('img', { name: 'Attachment 1 (image/png)' });
    await photo.waitFor();
    expect(await photo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(40);
    await eventually(async () => ((await maria.locator('.badge').count()) === 0 ? true : undefined));

    // Reply from the keyboard (Ctrl+Enter).
    const text = 'Oi Maria! Seu pedido saiu para entrega hoje e chega até as 18h.';
    await page.getByLabel('Reply', { exact: true }).fill(text);
    await page.getByLabel('Reply', { exact: true }).press('Control+Enter');
    const sent = await eventually(async () => emulator.state.sentMessages.find((m) => m.body === text), 15_000);
    expect(sent.to).toBe('whatsapp:+5511987650001');
    const bubble = page.locator('li.message.outbound', { hasText: text });
    await bubble.locator('[data-tick="read"]').waitFor({ timeout: 20_000 });
    expect(emulator.state.messages.get(sent.sid)?.status).toBe('read');
    await expect(bubble.locator('.tick').getAttribute('title')).resolves.toBe('Read');
    await page.screenshot({ path: screenshotPath('2-conversation-ticks') });

    expect(tokensInUrls(requests)).toEqual([]);
    expect(requests.some((url) => new URL(url).pathname === '/events')).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('agent: a failed send shows its reason, the agent is notified, and Retry delivers it', async () => {
    const ticket = await customerWrites(t, number, '+5511987650003', 'Can you change my delivery address?');
    const { page, errors } = await openConsole();
    await signInAsDemoAgent(page);
    // Keyboard only: focus the ticket, Enter opens it.
    await page.locator(`button.ticket[data-ticket-id="${ticket.ticketId}"]`).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('log').getByText('Can you change my delivery address?').waitFor();

    emulator.faults.inject({ phoneNumber: '+5511987650003', endpoint: 'messages.create', status: 400, code: 21211, times: 1 });
    const text = 'Sure, which address should we use?';
    await page.getByLabel('Reply', { exact: true }).fill(text);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const bubble = page.locator('li.message.outbound', { hasText: text });
    await bubble.locator('[data-tick="failed"]').waitFor({ timeout: 20_000 });
    await expect(bubble.locator('.reason').textContent()).resolves.toMatch(/Not delivered: .*21211/);
    // The agent's notification arrives live (toast and the bell's count).
    await page.getByRole('button', { name: /Notifications \(1 unread\)/ }).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: screenshotPath('3-failed-send') });

    await bubble.getByRole('button', { name: 'Retry' }).click();
    await bubble.locator('[data-tick="read"]').waitFor({ timeout: 20_000 });
    expect(await bubble.locator('.failure').count()).toBe(0);
    expect(emulator.state.sentMessages.filter((m) => m.body === text)).toHaveLength(1);

    await page.getByRole('button', { name: /Notifications/ }).click();
    await page.getByRole('heading', { name: 'Notifications' }).waitFor();
    await page.locator('.notification-list li[data-kind="message_failed"]').waitFor();
    await page.getByRole('button', { name: 'Mark read' }).first().click();
    await page.getByRole('button', { name: /Notifications \(0 unread\)/ }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('heading', { name: 'Notifications' }).waitFor({ state: 'detached' });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('agent: sends a PDF and a PNG with a caption in one reply; an .exe is refused in the page and nothing is sent', async () => {
    const contact = '+5511987650005';
    const ticket = await customerWrites(t, number, contact, 'Pode me mandar a nota fiscal e a foto do produto?');
    const { page, errors } = await openConsole();
    const replyPosts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === `/tickets/${ticket.ticketId}/messages`) replyPosts.push(request.headers()['content-type'] ?? '');
    });
    await signInAsDemoAgent(page);
    await page.locator(`button.ticket[data-ticket-id="${ticket.ticketId}"]`).click();
    await page.getByRole('log').getByText('Pode me mandar a nota fiscal').waitFor();

    // A long reply (over Twilio's 1,600 characters): two WhatsApp messages, one entry in the conversation.
    const paragraph = 'Conferimos o seu pedido item a item e separamos os documentos. '.repeat(14).trim();
    const longText = `${paragraph}\n\n${paragraph}`;
    await page.getByLabel('Reply', { exact: true }).fill(longText);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await eventually(async () => (sendsTo(t, contact).length === 2 ? true : undefined), 15_000);
    const longBubble = page.locator('li.message.outbound', { hasText: 'Conferimos o seu pedido' });
    await longBubble.locator('[data-tick="read"]').waitFor({ timeout: 20_000 });
    expect(await longBubble.count()).toBe(1);
    await expect(longBubble.locator('.parts').textContent()).resolves.toBe('sent as 2 WhatsApp messages ·');

    const chooseFiles = async (files: Array<{ name: string; mimeType: string; buffer: Buffer }>) => {
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: 'Attach files' }).click()]);
      expect(chooser.isMultiple()).toBe(true);
      await chooser.setFiles(files);
    };

    // An .exe is refused in the page, naming the file, its type and what is accepted: nothing is added or sent.
    await chooseFiles([{ name: 'setup.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ\x90\x00fake program') }]);
    const alert = page.locator('.reply [role="alert"]');
    await expect(alert.textContent()).resolves.toMatch(/"setup\.exe" is application\/x-msdownload, which WhatsApp does not take; accepted: .*\.pdf/);
    expect(await page.locator('.attachment-list li').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(true);
    expect(await page.locator('#reply-files').getAttribute('accept')).toContain('application/pdf');
    await page.screenshot({ path: screenshotPath('6a-attachment-refused') });

    // A PDF, a PNG and a text file; the text file is taken out again with its × button.
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    await chooseFiles([
      { name: 'nota-fiscal.pdf', mimeType: 'application/pdf', buffer: pdf },
      { name: 'produto.png', mimeType: 'image/png', buffer: SAMPLE_PNG },
      { name: 'rascunho.txt', mimeType: 'text/plain', buffer: Buffer.from('rascunho') },
    ]);
    expect(await alert.count()).toBe(0);
    await expect(page.locator('.attachment-list li').allTextContents()).resolves.toEqual([`nota-fiscal.pdf${pdf.length} B×`, `produto.png${SAMPLE_PNG.length} B×`, 'rascunho.txt8 B×']);
    await page.getByRole('button', { name: 'Remove rascunho.txt' }).click();
    expect(await page.locator('.attachment-list li').count()).toBe(2);

    // With files attached the text box is their caption.
    const caption = 'Segue a nota fiscal e a foto do produto.';
    await page.getByLabel('Caption (optional)').fill(caption);
    await page.screenshot({ path: screenshotPath('6-attachments-chosen') });

    // The API stays the authority: the window closed meanwhile, so it refuses and the page says why (the files stay).
    const tickets = t.service.connection.db!.collection('tickets');
    const { lastInboundAt } = (await tickets.findOne({ _id: ticket.ticketId as never }))!;
    await tickets.updateOne({ _id: ticket.ticketId as never }, { $set: { lastInboundAt: new Date(Date.now() - 25 * 60 * 60 * 1000) } });
    await page.getByRole('button', { name: 'Send 2 files' }).click();
    await alert.filter({ hasText: 'free-form messages are allowed only within 24 hours' }).waitFor();
    expect(await page.locator('.attachment-list li').count()).toBe(2);
    expect(sendsTo(t, contact)).toHaveLength(2);
    await tickets.updateOne({ _id: ticket.ticketId as never }, { $set: { lastInboundAt } });

    await page.getByRole('button', { name: 'Send 2 files' }).click();
    // Twilio (the emulator) got one message per file, the caption on the first, and fetched both files.
    const sends = await eventually(async () => {
      const all = sendsTo(t, contact).slice(2);
      return all.length === 2 ? all : undefined;
    }, 15_000);
    expect(sends.map((send) => send.body ?? '')).toEqual([caption, '']);
    const fetched = await eventually(async () => {
      const logs = sends.map((send) => emulator.state.fetchedMedia.find((log) => log.messageSid === send.sid));
      return logs.every((log) => log !== undefined) ? logs : undefined;
    }, 15_000);
    const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
    expect(fetched.map((log) => [log!.status, log!.contentType, log!.sha256])).toEqual([
      [200, 'application/pdf', sha256(pdf)],
      [200, 'image/png', sha256(SAMPLE_PNG)],
    ]);
    // Every reply went as multipart (the refused one included); the .exe never left the page.
    expect(replyPosts.slice(1).every((type) => type.startsWith('multipart/form-data'))).toBe(true);
    expect(replyPosts).toHaveLength(3);

    // The reply shows once, with its caption, the photo (fetched with the agent's token) and the PDF to open.
    const bubble = page.locator('li.message.outbound', { hasText: caption });
    await bubble.locator('[data-tick="read"]').waitFor({ timeout: 20_000 });
    const photo = bubble.getByRole('img', { name: 'Attachment 2 (image/png)' });
    await photo.waitFor();
    expect(await photo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(40);
    await bubble.getByRole('button', { name: 'Open attachment 1 (application/pdf)' }).waitFor();
    expect(await page.locator('.attachment-list li').count()).toBe(0);
    expect(await page.getByLabel('Reply', { exact: true }).inputValue()).toBe('');
    await page.screenshot({ path: screenshotPath('7-attachments-sent') });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('admin: creates an existing-account integration from the form and sees live status and the last error', async () => {
    const { page, requests, errors } = await openConsole();
    // Sign in by pasting a token.
    await page.getByLabel('Access token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Integrations' }).click();
    await page.getByRole('heading', { name: 'WhatsApp integrations' }).waitFor();
    await page.locator(`tr[data-integration-id="${number.integrationId}"][data-status="active"]`).waitFor();

    const account = emulator.state.createAccount('Loja Centro', null);
    emulator.state.ownNumber(account.sid, '+14155550123');
    await page.getByLabel('Use an existing Twilio account').check();
    await page.getByLabel('Account SID').fill(account.sid);
    await page.getByLabel('Auth token').fill(account.authToken);
    await page.getByLabel('WhatsApp number (E.164)').fill('+14155550123');
    await page.getByLabel('Name (optional)').fill('Loja Centro');
    await page.getByRole('button', { name: 'Create integration' }).click();
    const row = page.locator('tr', { hasText: '+14155550123' });
    await row.and(page.locator('[data-status="active"]')).waitFor({ timeout: 15_000 });
    await expect(row.textContent()).resolves.toContain('Loja Centro');
    expect(await page.getByLabel('Auth token').inputValue()).toBe('');

    // Credentials Twilio refuses: stored as error, with the reason, and the admins are notified.
    const other = emulator.state.createAccount('Loja Norte', null);
    emulator.state.ownNumber(other.sid, '+14155550124');
    await page.getByLabel('Account SID').fill(other.sid);
    await page.getByLabel('Auth token').fill('0123456789abcdef0123456789abcdef');
    await page.getByLabel('WhatsApp number (E.164)').fill('+14155550124');
    await page.getByLabel('Name (optional)').fill('Loja Norte');
    await page.getByRole('button', { name: 'Create integration' }).click();
    const broken = page.locator('tr', { hasText: '+14155550124' });
    await broken.and(page.locator('[data-status="error"]')).waitFor({ timeout: 15_000 });
    await expect(broken.locator('.last-error').textContent()).resolves.toMatch(/20003|auth/i);

    // A field the API refuses is shown next to the field.
    await page.getByLabel('Account SID').fill('AC' + '0'.repeat(32));
    await page.getByLabel('Auth token').fill('short-token-1234');
    await page.getByLabel('WhatsApp number (E.164)').fill('+1 415');
    await page.getByRole('button', { name: 'Create integration' }).click();
    await page.locator('#int-whatsappNumber-issue').waitFor();

    // Provisioned: pending at once, then active live (integration.updated) once the emulator's sender is online.
    await page.getByLabel('Let Zapdesk provision a number').check();
    await page.getByLabel('Country (ISO code)').fill('US');
    await page.getByLabel('Area code (optional)').fill('415');
    await page.getByLabel('Name (optional)').fill('Vendas');
    await page.getByRole('button', { name: 'Create integration' }).click();
    const provisioned = page.locator('tr', { hasText: 'Vendas' });
    await provisioned.waitFor();
    await provisioned.and(page.locator('[data-status="active"]')).waitFor({ timeout: 20_000 });
    await expect(provisioned.textContent()).resolves.toContain('provisioned');
    await page.getByLabel('Use an existing Twilio account').check();

    // Validate and sync answer from the service, reported in a toast.
    await row.getByRole('button', { name: 'Validate +14155550123' }).click();
    await page.getByText('+14155550123: active').waitFor();
    await page.getByLabel('Account SID').fill('');
    await page.getByLabel('Auth token').fill('');
    await page.getByLabel('WhatsApp number (E.164)').fill('');
    await page.screenshot({ path: screenshotPath('4-integrations') });

    // Remove (after the browser's confirm) takes the row away.
    page.once('dialog', (dialog) => void dialog.accept());
    await broken.getByRole('button', { name: 'Remove +14155550124' }).click();
    await broken.waitFor({ state: 'detached', timeout: 15_000 });

    expect(tokensInUrls(requests)).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('Portuguese, outside the 24-hour window: only a template can be sent; pending, reopen, close', async () => {
    const ticket = await customerWrites(t, number, '+5511987650004', 'Oi, tudo bem?');
    const longAgo = new Date(Date.now() - 25 * 60 * 60 * 1000);
    await t.service.connection.db!.collection('tickets').updateOne({ _id: ticket.ticketId as never }, { $set: { lastInboundAt: longAgo } });

    const { page, errors } = await openConsole('pt');
    await page.getByRole('heading', { name: 'Entrar' }).waitFor();
    await page.getByRole('button', { name: 'Entrar como atendente de demonstração' }).click();
    await page.locator(`button.ticket[data-ticket-id="${ticket.ticketId}"]`).click();
    await page.locator('[data-window="closed"]').waitFor();
    await expect(page.locator('[data-window="closed"]').textContent()).resolves.toContain('mais de 24 horas');
    expect(await page.locator('#reply-text').count()).toBe(0);

    await page.getByLabel('Content SID (HX…)').fill('HX' + 'ab12'.repeat(8));
    await page.getByLabel('Variáveis (JSON, opcional)').fill('{"1": "Maria"}');
    await page.screenshot({ path: screenshotPath('5-template-outside-window-pt') });
    await page.getByRole('button', { name: 'Enviar modelo' }).click();
    const sent = await eventually(async () => emulator.state.sentMessages.find((m) => m.to === 'whatsapp:+5511987650004'), 15_000);
    expect(sent.contentSid).toBe('HX' + 'ab12'.repeat(8));
    await page.locator('li.message.outbound [data-tick="read"]').waitFor({ timeout: 20_000 });

    // The picker offers the approved templates only; pick one, fill its variables, send.
    const picker = page.getByLabel('Modelo aprovado');
    await picker.locator('option', { hasText: 'pedido_enviado' }).waitFor({ state: 'attached' });
    expect(await picker.locator('option').allTextContents()).toEqual(['Escolha um modelo…', 'pedido_enviado (pt_BR)', 'retomar_conversa (pt_BR)']);
    await picker.selectOption({ label: 'pedido_enviado (pt_BR)' });
    await expect(page.locator('.template-preview').textContent()).resolves.toBe('Oi {{1}}, o pedido {{2}} foi enviado.');
    await page.getByLabel('Variável 1').fill('Maria');
    await page.getByLabel('Variável 2').fill('#77');
    await page.screenshot({ path: screenshotPath('5b-template-picker-pt') });
    await page.getByRole('button', { name: 'Enviar este modelo' }).click();
    const picked = await eventually(async () => emulator.state.sentMessages.find((m) => m.to === 'whatsapp:+5511987650004' && m.contentSid === 'HX' + 'cd34'.repeat(8)), 15_000);
    expect(JSON.parse(picked.contentVariables!)).toEqual({ '1': 'Maria', '2': '#77' });

    // open ⇄ pending, followed live by the status filter; closing is final (after a confirm).
    await page.getByRole('button', { name: 'Marcar como pendente' }).click();
    await page.getByLabel('Situação', { exact: true }).selectOption('pending');
    const listed = page.locator(`button.ticket[data-ticket-id="${ticket.ticketId}"]`);
    await listed.waitFor();
    await page.getByRole('button', { name: 'Reabrir' }).click();
    await listed.waitFor({ state: 'detached' });
    await page.getByLabel('Situação', { exact: true }).selectOption('');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Fechar ticket' }).click();
    await page.getByText('Este ticket está fechado e fica como histórico').waitFor();
    // The list learns of the close from the event stream: wait for it rather than read at once.
    await listed.locator('.status', { hasText: 'Fechado' }).waitFor();
    expect(await page.getByRole('button', { name: 'Reabrir' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
