import { useEffect, useRef, useState } from 'preact/hooks';
import { simulateInbound } from '../api';
import { describeError, useWorkspace } from '../context';

/**
 * Plays a customer in the embedded default: the emulator's simulator posts a signed inbound
 * webhook to the service, exactly as Twilio would. Shown only when config.json names it.
 */
export function SimulatorPanel({ simulatorUrl, onClose }: { readonly simulatorUrl: string; readonly onClose: () => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  // Keyboard users land in the panel when it opens (Escape closes it: see the shell).
  useEffect(() => heading.current?.focus(), []);
  const { t, integrations } = useWorkspace();
  const numbers = integrations.filter((i) => i.status === 'active');
  const [fields, setFields] = useState({ from: '+5511999990000', to: '', profileName: 'Maria Souza', body: 'Olá! Meu pedido ainda não chegou.', mediaUrl: '' });
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const set = (name: keyof typeof fields) => (event: Event) => setFields({ ...fields, [name]: (event.target as HTMLInputElement).value });

  const send = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setResult(null);
    try {
      const answer = await simulateInbound(simulatorUrl, {
        ...(fields.from.trim() ? { from: fields.from.trim() } : {}),
        ...(fields.to ? { to: fields.to } : {}),
        ...(fields.profileName.trim() ? { profileName: fields.profileName.trim() } : {}),
        ...(fields.body ? { body: fields.body } : {}),
        ...(fields.mediaUrl.trim() ? { mediaUrl: fields.mediaUrl.trim() } : {}),
      });
      setResult({ ok: answer.webhookStatus < 400, text: t('sim.sent', { sid: answer.messageSid, status: answer.webhookStatus }) });
    } catch (error) {
      setResult({ ok: false, text: t('sim.failed', { message: describeError(t, error) }) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <aside
      class="panel simulator"
      aria-labelledby="simulator-heading"
    >
      <header class="panel-header">
        <h2 id="simulator-heading" tabIndex={-1} ref={heading}>
          {t('sim.heading')}
        </h2>
        <button type="button" class="icon" aria-label={t('sim.close')} onClick={onClose}>
          ×
        </button>
      </header>
      <p class="hint">{t('sim.intro')}</p>
      <form onSubmit={(event) => void send(event)}>
        <div class="field">
          <label for="sim-from">{t('sim.from')}</label>
          <input id="sim-from" name="from" value={fields.from} onInput={set('from')} inputMode="tel" autocomplete="off" />
        </div>
        <div class="field">
          <label for="sim-to">{t('sim.to')}</label>
          <select id="sim-to" name="to" value={fields.to} onChange={set('to')}>
            <option value="">{t('sim.toDefault')}</option>
            {numbers.map((i) => (
              <option value={i.whatsappNumber}>{i.friendlyName ? `${i.friendlyName} (${i.whatsappNumber})` : i.whatsappNumber}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="sim-name">{t('sim.profileName')}</label>
          <input id="sim-name" name="profileName" value={fields.profileName} onInput={set('profileName')} autocomplete="off" />
        </div>
        <div class="field">
          <label for="sim-body">{t('sim.body')}</label>
          <textarea id="sim-body" name="body" rows={3} value={fields.body} onInput={set('body')} />
        </div>
        <div class="field">
          <label for="sim-media">{t('sim.mediaUrl')}</label>
          <input id="sim-media" name="mediaUrl" type="url" value={fields.mediaUrl} onInput={set('mediaUrl')} autocomplete="off" />
        </div>
        <button type="submit" disabled={busy}>
          {busy ? t('sim.sending') : t('sim.send')}
        </button>
      </form>
      {result && (
        <p class={result.ok ? 'success' : 'problem'} role="status">
          {result.text}
        </p>
      )}
    </aside>
  );
}
