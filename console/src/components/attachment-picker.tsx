import { useRef } from 'preact/hooks';
import { ACCEPT, ACCEPTED_EXTENSIONS, addFiles, contentTypeOf, formatSize, type Refusal } from '../attachments';
import { useWorkspace } from '../context';
import type { Translate } from '../i18n';

/** A file the agent chose for the reply, with the content type it will be sent with. */
export interface ChosenFile {
  readonly key: number;
  readonly file: File;
  readonly name: string;
  readonly size: number;
  readonly type: string;
}

let nextKey = 0;

export function describeRefusal(t: Translate, refusal: Refusal): string {
  switch (refusal.reason) {
    case 'type':
      return t('attach.refusedType', {
        name: refusal.name,
        type: refusal.type || t('attach.noType'),
        accepted: ACCEPTED_EXTENSIONS,
      });
    case 'size':
      return t('attach.refusedSize', { name: refusal.name, mb: refusal.limitMb, kind: t(`attach.kind.${refusal.kind}`) });
    case 'count':
      return t('attach.refusedCount', { name: refusal.name, max: refusal.max });
  }
}

interface Props {
  readonly files: readonly ChosenFile[];
  readonly disabled: boolean;
  readonly onChange: (files: ChosenFile[]) => void;
  /** What was refused, person-readable (null when all were taken). */
  readonly onRefused: (problem: string | null) => void;
}

/** The "Attach files" button (a native file picker) and the list of chosen files, each removable. */
export function AttachmentPicker({ files, disabled, onChange, onRefused }: Props) {
  const { t, lang } = useWorkspace();
  const input = useRef<HTMLInputElement>(null);

  const pick = (list: FileList | null) => {
    const incoming: ChosenFile[] = Array.from(list ?? [], (file) => ({ key: nextKey++, file, name: file.name, size: file.size, type: contentTypeOf(file) }));
    const result = addFiles(files, incoming);
    onChange(result.files);
    onRefused(result.refused.length === 0 ? null : result.refused.map((refusal) => describeRefusal(t, refusal)).join('\n'));
    // The same file may be picked again after being removed.
    if (input.current) input.current.value = '';
  };

  return (
    <div class="attachments">
      <input
        ref={input}
        id="reply-files"
        type="file"
        multiple
        accept={ACCEPT}
        class="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        onChange={(event) => pick((event.target as HTMLInputElement).files)}
      />
      <button type="button" class="secondary attach-button" disabled={disabled} aria-describedby="attach-help" onClick={() => input.current?.click()}>
        {t('attach.button')}
      </button>
      <small id="attach-help" class="attach-help">
        {t('attach.help')}
      </small>
      {files.length > 0 && (
        <ul class="attachment-list" aria-label={t('attach.listLabel', { count: files.length })}>
          {files.map((chosen) => (
            <li key={chosen.key} data-file-name={chosen.name}>
              <span class="file-name">{chosen.name}</span>
              <span class="file-size">{formatSize(chosen.size, lang)}</span>
              <button
                type="button"
                class="icon remove-file"
                disabled={disabled}
                aria-label={t('attach.remove', { name: chosen.name })}
                title={t('attach.remove', { name: chosen.name })}
                onClick={() => {
                  onChange(files.filter((other) => other.key !== chosen.key));
                  onRefused(null);
                }}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
