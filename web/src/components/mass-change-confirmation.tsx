import type { Schemas } from '../api';
import { useTranslator, type MessageKey } from '../i18n';

/**
 * The mass-change guard's question (IMPORT_MASS_CHANGE_PERCENT, the same for imports and bulk
 * changes): how many existing records change, and the box to tick before Confirm is allowed.
 * `text` says what changes them (an import, a bulk change), with {changed}, {existing}, {percent}
 * and {threshold}; `confirmLabel` is what ticking the box states.
 */
export function MassChangeConfirmation({ massChange, text, confirmLabel, confirmed, onConfirmed, disabled }: { massChange: Schemas['MassChangeDto'] | null; text: MessageKey; confirmLabel: MessageKey; confirmed: boolean; onConfirmed(confirmed: boolean): void; disabled: boolean }) {
  const { t, formatNumber } = useTranslator();
  if (massChange === null || !massChange.confirmationNeeded) return null;
  return (
    <div class="mass-change" role="group" aria-labelledby="mass-change-title">
      <h3 id="mass-change-title">{t('massChangeTitle')}</h3>
      <p>
        {t(text, { changed: formatNumber(massChange.changed), existing: formatNumber(massChange.existing), percent: formatNumber(massChange.percent), threshold: formatNumber(massChange.thresholdPercent) })}
        {massChange.deactivated > 0 ? ` ${t('massChangeDeactivated', { count: formatNumber(massChange.deactivated) })}` : ''}
      </p>
      <label class="check">
        <input type="checkbox" checked={confirmed} disabled={disabled} onChange={(event) => onConfirmed(event.currentTarget.checked)} />
        {t(confirmLabel)}
      </label>
    </div>
  );
}
