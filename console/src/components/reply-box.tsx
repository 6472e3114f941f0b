import { useEffect, useState } from 'preact/hooks';
import type { Message, Ticket } from '../api';
import { describeError, useWorkspace } from '../context';
import { MAX_CAPTION_LENGTH } from '../attachments';
import { ago, duration, windowLeft } from '../format';
import { AttachmentPicker, type ChosenFile } from './attachment-picker';
import { TemplatePicker } from './template-picker';

const CONTENT_SID = /^HX[0-9a-fA-F]{32}$/;

interface Props {
  readonly ticket: Ticket;
  readonly onSent: (message: Message) => void;
}

/**
 * Free-form text and files only inside WhatsApp's 24-hour window (from the customer's last
 * message); outside it, a template (Content SID + variables). The service enforces the same
 * rule (422); the console only spares the agent the refusal. With files attached, the text is
 * their caption and Send posts them all in one multipart request.
 */
export function ReplyBox({ ticket, onSent }: Props) {
  const { t, api } = useWorkspace();
  const [text, setText] = useState('');
  const [files, setFiles] = useState<ChosenFile[]>([]);
  const [sid, setSid] = useState('');
  const [variables, setVariables] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [now, setNow] = useState(Date.now());

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    setText('');
    setFiles([]);
    setProblem(null);
  }, [ticket.id]);

  if (ticket.status === 'closed') return <p class="notice reply-closed">{t('reply.closedTicket')}</p>;

  const left = windowLeft(ticket.lastInboundAt, now);
  const open = left !== null && left > 0;

  const submit = async (call: () => Promise<Message>) => {
    setBusy(true);
    setProblem(null);
    try {
      const message = await call();
      onSent(message);
      return true;
    } catch (error) {
      setProblem(describeError(t, error));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const send = (content: Parameters<typeof api.reply>[1]) => submit(() => api.reply(ticket.id, content));

  const sendText = async () => {
    if (busy) return;
    if (files.length > 0) {
      if (text.length > MAX_CAPTION_LENGTH) {
        setProblem(t('attach.captionTooLong', { max: MAX_CAPTION_LENGTH }));
        return;
      }
      if (await submit(() => api.replyWithFiles(ticket.id, files, text))) {
        setText('');
        setFiles([]);
      }
      return;
    }
    if (text.trim() === '') return;
    if (await send({ body: text })) setText('');
  };
  const withFiles = files.length > 0;

  const sendTemplate = async () => {
    if (!CONTENT_SID.test(sid.trim())) {
      setProblem(t('template.badSid'));
      return;
    }
    let parsed: Record<string, string> | undefined;
    if (variables.trim() !== '') {
      try {
        const value = JSON.parse(variables) as unknown;
        if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) throw new Error();
        parsed = value as Record<string, string>;
      } catch {
        setProblem(t('template.badVariables'));
        return;
      }
    }
    if (await send({ contentSid: sid.trim(), ...(parsed ? { contentVariables: parsed } : {}) })) {
      setSid('');
      setVariables('');
    }
  };

  const templateForm = (
    <form
      class="template-form"
      onSubmit={(event) => {
        event.preventDefault();
        void sendTemplate();
      }}
    >
      <div class="field">
        <label for="template-sid">{t('template.sid')}</label>
        <input
          id="template-sid"
          name="contentSid"
          value={sid}
          autocomplete="off"
          spellcheck={false}
          placeholder="HX…"
          aria-describedby="template-sid-help"
          onInput={(event) => setSid((event.target as HTMLInputElement).value)}
          required
        />
        <small id="template-sid-help">{t('template.sidHelp')}</small>
      </div>
      <div class="field">
        <label for="template-variables">{t('template.variables')}</label>
        <input
          id="template-variables"
          name="contentVariables"
          value={variables}
          autocomplete="off"
          spellcheck={false}
          aria-describedby="template-variables-help"
          onInput={(event) => setVariables((event.target as HTMLInputElement).value)}
        />
        <small id="template-variables-help">{t('template.variablesHelp')}</small>
      </div>
      <button type="submit" disabled={busy}>
        {busy ? t('reply.sending') : t('template.send')}
      </button>
    </form>
  );

  return (
    <section class="reply" aria-label={t('reply.section')}>
      {open ? (
        <>
          <p class="window open" data-window="open">
            {t('reply.windowOpen', { ago: ago(t, ticket.lastInboundAt!, now), left: duration(t, left!) })}
          </p>
          <form
            class="reply-form"
            onSubmit={(event) => {
              event.preventDefault();
              void sendText();
            }}
          >
            <label for="reply-text" class="visually-hidden">
              {withFiles ? t('reply.captionLabel') : t('reply.label')}
            </label>
            <textarea
              id="reply-text"
              name={withFiles ? 'caption' : 'body'}
              rows={3}
              placeholder={withFiles ? t('reply.captionPlaceholder') : t('reply.placeholder')}
              value={text}
              aria-describedby="reply-hint"
              onInput={(event) => setText((event.target as HTMLTextAreaElement).value)}
              onKeyDown={(event) => {
                if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
                  event.preventDefault();
                  void sendText();
                }
              }}
            />
            <AttachmentPicker files={files} disabled={busy} onChange={setFiles} onRefused={setProblem} />
            <div class="reply-actions">
              <small id="reply-hint">{t('reply.hint')}</small>
              <button type="submit" disabled={busy || (!withFiles && text.trim() === '')}>
                {busy ? t('reply.sending') : withFiles ? (files.length === 1 ? t('reply.sendFile') : t('reply.sendFiles', { count: files.length })) : t('reply.send')}
              </button>
            </div>
          </form>
          <details class="template-details">
            <summary>{t('template.legend')}</summary>
            {templateForm}
          </details>
        </>
      ) : (
        <>
          <p class="window closed" data-window="closed" role="note">
            {left === null ? t('reply.windowNever') : t('reply.windowClosed')}
          </p>
          <fieldset class="template-fieldset">
            <legend>{t('template.legend')}</legend>
            <TemplatePicker integrationId={ticket.integrationId} busy={busy} onSend={send} />
            <p class="picker-manual">{t('picker.manual')}</p>
            {templateForm}
          </fieldset>
        </>
      )}
      {problem && (
        <p class="problem" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}
