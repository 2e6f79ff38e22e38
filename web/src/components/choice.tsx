/** A labelled select over fixed values; emptyLabel adds a first option of value "" (such as "any"). */
export function Choice<T extends string>({ label, name, value, values, labelOf, onChange, disabled, emptyLabel }: { label: string; name?: string; value: T; values: readonly T[]; labelOf(value: T): string; onChange(value: T): void; disabled?: boolean; emptyLabel?: string }) {
  return (
    <label class="field">
      <span>{label}</span>
      <select name={name} value={value} disabled={disabled} onChange={(event) => onChange(event.currentTarget.value as T)}>
        {emptyLabel === undefined ? null : <option value="">{emptyLabel}</option>}
        {values.map((option) => (
          <option key={option} value={option}>
            {labelOf(option)}
          </option>
        ))}
      </select>
    </label>
  );
}
