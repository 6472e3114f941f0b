import { useEffect, useRef } from 'preact/hooks';
import type { Notification } from '../api';
import { describeError, useWorkspace } from '../context';
import { ago } from '../format';
import type { MessageKey } from '../i18n';

interface Props {
  readonly notifications: readonly Notification[];
  readonly onRead: (id: string) => void;
  readonly onClose: () => void;
}

export function NotificationsPanel({ notifications, onRead, onClose }: Props) {
  const heading = useRef<HTMLHeadingElement>(null);
  // Keyboard users land in the panel when it opens (Escape closes it: see the shell).
  useEffect(() => heading.current?.focus(), []);
  const { t, api, toast } = useWorkspace();

  const markRead = async (id: string) => {
    try {
      await api.markNotificationRead(id);
      onRead(id);
    } catch (error) {
      toast(describeError(t, error), 'error');
    }
  };

  return (
    <aside
      class="panel notifications"
      aria-labelledby="notifications-heading"
    >
      <header class="panel-header">
        <h2 id="notifications-heading" tabIndex={-1} ref={heading}>
          {t('notif.heading')}
        </h2>
        <button type="button" class="icon" aria-label={t('notif.close')} onClick={onClose}>
          ×
        </button>
      </header>
      {notifications.length === 0 ? (
        <p class="empty">{t('notif.empty')}</p>
      ) : (
        <ul class="notification-list">
          {notifications.map((n) => (
            <li key={n.id} class={n.read ? 'read' : 'unread'} data-kind={n.kind}>
              <p class="kind">
                <strong>{kindLabel(t, n.kind)}</strong> · <time dateTime={n.createdAt}>{ago(t, n.createdAt)}</time>
              </p>
              <p>{n.message}</p>
              {n.read ? (
                <small>{t('notif.read')}</small>
              ) : (
                <button type="button" class="secondary small" onClick={() => void markRead(n.id)}>
                  {t('notif.markRead')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}

function kindLabel(t: ReturnType<typeof useWorkspace>['t'], kind: string): string {
  const key = `notif.kind.${kind}` as MessageKey;
  const text = t(key);
  return text === key ? kind : text;
}
