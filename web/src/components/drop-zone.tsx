import { useRef, useState } from 'preact/hooks';
import { useTranslator } from '../i18n';

const ACCEPTED = '.csv,.tsv,.txt,.json,.ndjson,.jsonl,.xlsx,text/csv,application/json,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A drop target that is also a button: Enter or Space opens the file picker, for keyboard users. */
export function DropZone({ onFile, disabled }: { onFile(file: File): void; disabled: boolean }) {
  const { t } = useTranslator();
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);

  const take = (files: FileList | null | undefined) => {
    const file = files?.[0];
    if (file !== undefined && !disabled) onFile(file);
  };

  return (
    <div
      class={`drop-zone${dragging ? ' dragging' : ''}`}
      role="button"
      tabIndex={disabled ? -1 : 0}
      aria-disabled={disabled}
      aria-describedby="drop-zone-hint"
      data-testid="drop-zone"
      onClick={() => input.current?.click()}
      onKeyDown={(event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          input.current?.click();
        }
      }}
      onDragOver={(event) => {
        event.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(event) => {
        event.preventDefault();
        setDragging(false);
        take(event.dataTransfer?.files);
      }}
    >
      <span class="drop-zone-label">{t('dropZone')}</span>
      <span id="drop-zone-hint" class="hint">
        {t('dropZoneHint')}
      </span>
      <input
        ref={input}
        type="file"
        accept={ACCEPTED}
        class="visually-hidden"
        tabIndex={-1}
        aria-label={t('chooseFile')}
        onClick={(event) => event.stopPropagation()}
        onChange={(event) => {
          take(event.currentTarget.files);
          // The same file chosen again after a fix must fire change again.
          event.currentTarget.value = '';
        }}
      />
    </div>
  );
}
