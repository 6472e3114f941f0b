import { useEffect, useState } from 'preact/hooks';
import type { Message, MessageStatus } from '../api';
import { describeError, useWorkspace } from '../context';
import { clockTime } from '../format';

const TICKS: Readonly<Record<MessageStatus, string>> = {
  received: '',
  queued: '…',
  sending: '…',
  sent: '✓',
  delivered: '✓✓',
  read: '✓✓',
  failed: '!',
  undelivered: '!',
};

export function isFailed(message: Message): boolean {
  return message.direction === 'outbound' && (message.status === 'failed' || message.status === 'undelivered');
}

export function MessageItem({ message }: { readonly message: Message }) {
  const { t, lang, api } = useWorkspace();
  const [retrying, setRetrying] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const failed = isFailed(message);
  const statusText = t(`tick.${message.status}`);

  const retry = async () => {
    setRetrying(true);
    setProblem(null);
    try {
      await api.retry(message.id);
    } catch (error) {
      setProblem(describeError(t, error));
    } finally {
      setRetrying(false);
    }
  };

  return (
    <li class={`message ${message.direction}${failed ? ' failed' : ''}`} data-message-id={message.id} data-status={message.status}>
      <div class="bubble">
        {message.template && <p class="template">{t('conv.template', { sid: message.template.contentSid })}</p>}
        {message.body && <p class="body">{message.body}</p>}
        {message.media.map((item) => (
          <MediaItem key={item.index} path={item.url} index={item.index} contentType={item.contentType} />
        ))}
        <p class="meta">
          {/* A long text or several files went as several WhatsApp messages: one entry here, the customer sees each. */}
          {message.parts && message.parts.length > 1 && <span class="parts">{t('conv.parts', { count: message.parts.length })}</span>}
          <time dateTime={message.createdAt}>{clockTime(lang, message.createdAt)}</time>
          {message.direction === 'outbound' && (
            <span class={`tick tick-${message.status}`} data-tick={message.status} title={statusText}>
              <span aria-hidden="true">{TICKS[message.status]}</span>
              <span class="visually-hidden">{statusText}</span>
            </span>
          )}
        </p>
        {failed && (
          <div class="failure" role="status">
            <p class="reason">
              {t('conv.failed', {
                reason: message.error ? `${message.error.message} (${message.error.code})` : t('conv.unknownError'),
              })}
              {message.attempts > 1 && <span class="attempts"> · {t('conv.attempts', { count: message.attempts })}</span>}
            </p>
            <button type="button" class="retry" disabled={retrying} onClick={() => void retry()}>
              {retrying ? t('conv.retrying') : t('conv.retry')}
            </button>
            {problem && (
              <p class="problem" role="alert">
                {problem}
              </p>
            )}
          </div>
        )}
      </div>
    </li>
  );
}

/** Media go through Zapdesk with the bearer header (never a token in a URL): fetched as a blob. */
function MediaItem({ path, index, contentType }: { readonly path: string; readonly index: number; readonly contentType: string }) {
  const { t, api } = useWorkspace();
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  const isImage = contentType.startsWith('image/');
  const label = t('conv.media', { n: index + 1, type: contentType });

  useEffect(() => {
    if (!isImage) return undefined;
    let objectUrl: string | null = null;
    let cancelled = false;
    api
      .media(path)
      .then((blob) => {
        if (cancelled) return;
        objectUrl = URL.createObjectURL(blob);
        setUrl(objectUrl);
      })
      .catch(() => !cancelled && setFailed(true));
    return () => {
      cancelled = true;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [api, path, isImage]);

  const open = async () => {
    try {
      const blob = await api.media(path);
      const objectUrl = URL.createObjectURL(blob);
      window.open(objectUrl, '_blank', 'noopener');
      setTimeout(() => URL.revokeObjectURL(objectUrl), 60_000);
    } catch {
      setFailed(true);
    }
  };

  if (failed) return <p class="media problem">{t('conv.mediaFailed')}</p>;
  if (isImage) {
    return url ? (
      <a class="media" href={url} target="_blank" rel="noopener">
        <img src={url} alt={label} />
      </a>
    ) : (
      <p class="media loading">{t('conv.mediaLoading')}</p>
    );
  }
  return (
    <button type="button" class="media secondary" onClick={() => void open()}>
      {t('conv.mediaOpen', { n: index + 1, type: contentType })}
    </button>
  );
}
