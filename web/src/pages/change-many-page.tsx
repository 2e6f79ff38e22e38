import { useState } from 'preact/hooks';
import { dataOrThrow, type Schemas } from '../api';
import { bulkFiltersOf, isIncrementable, requestValue, settableFieldsOf, type BulkFilter, type BulkOperation } from '../bulk-fields';
import { Choice } from '../components/choice';
import { COMMIT_BLOCKERS_ID, CommitBlockers, useRenderAtExpiry } from '../components/commit-blockers';
import { MassChangeConfirmation } from '../components/mass-change-confirmation';
import { IssueTable } from '../components/issue-table';
import { ProblemMessage } from '../components/problem-message';
import { fieldLabel, fieldSpec, fieldsOf, fieldValueText } from '../field-labels';
import { useTranslator, type Translator } from '../i18n';
import { navigate } from '../router';
import { useSignedIn } from '../session';
import { useRequest } from '../use-request';
import type { FieldSpec } from '../../../src/common/fields/field-spec';

type Entity = Schemas['ImportEntity'];
type Preview = Schemas['BulkPreviewDto'];
type InvalidPolicy = Schemas['BulkInvalidPolicy'];

const ENTITIES: Entity[] = ['students', 'courses', 'enrollments'];
const OPERATIONS: BulkOperation[] = ['update', 'delete'];
const INVALID_POLICIES: InvalidPolicy[] = ['refuse', 'skip'];

/** What the change does to one field: nothing, a new value, no value, or a whole number added. */
type FieldChange = 'keep' | 'set' | 'clear' | 'increment';

interface FieldEdit {
  how: FieldChange;
  value: string;
}

const KEEP: FieldEdit = { how: 'keep', value: '' };

function changesOf(spec: FieldSpec): FieldChange[] {
  return ['keep', 'set', ...(spec.presence === 'nullable' ? (['clear'] as const) : []), ...(isIncrementable(spec) ? (['increment'] as const) : [])];
}

/** The preview request's filter: the fields given a value, each as its kind reads. */
function filterOf(filters: BulkFilter[], values: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(filters.filter((filter) => (values[filter.name] ?? '').trim() !== '').map((filter) => [filter.name, requestValue(filter.spec, values[filter.name])]));
}

/** The preview request's change set: `set` (null clears) and `increment`. */
function changeSetOf(entity: Entity, edits: Record<string, FieldEdit>): { set: Record<string, unknown>; increment: Record<string, number> } {
  const set: Record<string, unknown> = {};
  const increment: Record<string, number> = {};
  for (const spec of settableFieldsOf(entity)) {
    const edit = edits[spec.name] ?? KEEP;
    if (edit.how === 'set') set[spec.name] = requestValue(spec, edit.value);
    else if (edit.how === 'clear') set[spec.name] = null;
    // Whatever is not a whole number (NaN is sent as null) the service refuses with its reason.
    else if (edit.how === 'increment') increment[spec.name] = Number(edit.value);
  }
  return { set, increment };
}

/** Change many: a filter, a change set or a deletion, the preview of exactly what would be written, and Confirm, which starts the bulk job. */
export function ChangeManyPage() {
  const { t, label } = useTranslator();
  const { client } = useSignedIn();
  const [entity, setEntity] = useState<Entity>('students');
  const [operation, setOperation] = useState<BulkOperation>('update');
  const [filterValues, setFilterValues] = useState<Record<string, string>>({});
  const [edits, setEdits] = useState<Record<string, FieldEdit>>({});
  const [preview, setPreview] = useState<Preview | null>(null);
  const { busy, error, run } = useRequest<'previewing' | 'committing'>();
  const filters = bulkFiltersOf(entity);

  // A preview describes the request it was made from: any edit needs a new preview.
  const edited = <T,>(apply: (value: T) => void) => (value: T) => {
    apply(value);
    setPreview(null);
  };

  const chooseEntity = edited((value: Entity) => {
    setEntity(value);
    setFilterValues({});
    setEdits({});
  });

  const runPreview = () =>
    run('previewing', async () => {
      setPreview(null);
      const filter = filterOf(filters, filterValues);
      const params = { path: { entity } };
      const answer = operation === 'update' ? await client.POST('/api/v1/bulk/{entity}/update/preview', { params, body: { filter, ...changeSetOf(entity, edits) } }) : await client.POST('/api/v1/bulk/{entity}/delete/preview', { params, body: { filter } });
      setPreview(dataOrThrow(answer));
    });

  const commit = (current: Preview, onInvalid: InvalidPolicy, confirmMassChange: boolean) =>
    run('committing', async () => {
      const job = dataOrThrow(await client.POST('/api/v1/bulk/previews/{id}/commit', { params: { path: { id: current.id } }, body: { onInvalid, confirmMassChange } }));
      navigate(`/jobs/${job.id}`);
    });

  return (
    <section aria-labelledby="change-many-title">
      <h1 id="change-many-title">{t('changeManyTitle')}</h1>
      <p>{t('changeManyIntro')}</p>
      <div class="options">
        <Choice label={t('bulkEntity')} name="entity" value={entity} values={ENTITIES} labelOf={(value) => label('entity', value)} onChange={chooseEntity} disabled={busy !== null} />
        <Choice label={t('bulkOperation')} name="operation" value={operation} values={OPERATIONS} labelOf={(value) => label('bulkOperation', value)} onChange={edited(setOperation)} disabled={busy !== null} />
      </div>
      <FilterForm entity={entity} filters={filters} values={filterValues} disabled={busy !== null} onChange={edited(setFilterValues)} />
      {operation === 'update' ? <ChangeForm entity={entity} edits={edits} disabled={busy !== null} onChange={edited(setEdits)} /> : <p class="hint">{t('bulkDeleteHint')}</p>}
      <div class="actions">
        <button type="button" class="primary" disabled={busy !== null} onClick={() => void runPreview()}>
          {t('bulkPreviewButton')}
        </button>
      </div>
      <p aria-live="polite" class="busy">
        {busy === 'previewing' ? t('bulkPreviewing') : busy === 'committing' ? t('bulkCommitting') : ''}
      </p>
      <ProblemMessage error={error} />
      {preview === null ? null : <PreviewView key={preview.id} preview={preview} busy={busy !== null} onConfirm={(onInvalid, confirmMassChange) => void commit(preview, onInvalid, confirmMassChange)} onCancel={() => setPreview(null)} />}
    </section>
  );
}

function FilterForm({ entity, filters, values, disabled, onChange }: { entity: Entity; filters: BulkFilter[]; values: Record<string, string>; disabled: boolean; onChange(values: Record<string, string>): void }) {
  const { t, locale } = useTranslator();
  return (
    <fieldset class="bulk-filter">
      <legend>{t('bulkFilterTitle')}</legend>
      <p class="hint">{t('bulkFilterHint')}</p>
      <div class="filters">
        {filters.map((filter) => {
          const fieldName = fieldLabel(filter.of, filter.field, locale);
          const name = filter.bound === undefined ? fieldName : t(filter.bound === 'from' ? 'bulkFilterFrom' : 'bulkFilterTo', { field: fieldName });
          return (
            <label class="field" key={`${entity}-${filter.name}`}>
              <span>{name}</span>
              <ValueInput spec={filter.spec} value={values[filter.name] ?? ''} emptyLabel={t('anyValue')} disabled={disabled} onChange={(value) => onChange({ ...values, [filter.name]: value })} />
            </label>
          );
        })}
      </div>
    </fieldset>
  );
}

/** The input of one value of a field, by its kind; emptyLabel gives a choice of kind boolean or status an empty option. */
function ValueInput({ spec, value, emptyLabel, disabled, label, onChange }: { spec: FieldSpec; value: string; emptyLabel?: string; disabled: boolean; label?: string; onChange(value: string): void }) {
  const { locale } = useTranslator();
  const language = locale === 'el' ? 'el' : 'en';
  if (spec.kind === 'boolean' || spec.kind === 'status') {
    return (
      <select aria-label={label} value={value} disabled={disabled} onChange={(event) => onChange(event.currentTarget.value)}>
        {emptyLabel === undefined ? null : <option value="">{emptyLabel}</option>}
        {Object.entries(spec.valueLabels).map(([option, labels]) => (
          <option key={option} value={option}>
            {labels[language]}
          </option>
        ))}
      </select>
    );
  }
  const type = isIncrementable(spec) ? 'number' : spec.kind === 'date' ? 'date' : 'text';
  return <input aria-label={label} type={type} value={value} disabled={disabled} onInput={(event) => onChange(event.currentTarget.value)} />;
}

function ChangeForm({ entity, edits, disabled, onChange }: { entity: Entity; edits: Record<string, FieldEdit>; disabled: boolean; onChange(edits: Record<string, FieldEdit>): void }) {
  const { t, label, locale } = useTranslator();
  return (
    <fieldset class="bulk-change">
      <legend>{t('bulkChangeTitle')}</legend>
      <p class="hint">{t('bulkChangeHint')}</p>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">{t('columnField')}</th>
              <th scope="col">{t('bulkChangeHow')}</th>
              <th scope="col">{t('value')}</th>
            </tr>
          </thead>
          <tbody>
            {settableFieldsOf(entity).map((spec) => {
              const name = fieldLabel(entity, spec.name, locale);
              const edit = edits[spec.name] ?? KEEP;
              const update = (next: Partial<FieldEdit>) => onChange({ ...edits, [spec.name]: { ...edit, ...next } });
              const firstValue = spec.kind === 'boolean' || spec.kind === 'status' ? (Object.keys(spec.valueLabels)[0] ?? '') : '';
              return (
                <tr key={`${entity}-${spec.name}`} class={edit.how === 'keep' ? undefined : 'changed'}>
                  <th scope="row">{name}</th>
                  <td>
                    <select aria-label={t('bulkChangeOf', { field: name })} value={edit.how} disabled={disabled} onChange={(event) => update({ how: event.currentTarget.value as FieldChange, value: edit.how === 'keep' ? firstValue : edit.value })}>
                      {changesOf(spec).map((how) => (
                        <option key={how} value={how}>
                          {label('bulkHow', how)}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    {edit.how === 'set' || edit.how === 'increment' ? (
                      <ValueInput spec={spec} label={t(edit.how === 'increment' ? 'bulkAmountOf' : 'bulkValueOf', { field: name })} value={edit.value} disabled={disabled} onChange={(value) => update({ value })} />
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </fieldset>
  );
}

/** Why Confirm is disabled, in words (CommitBlockers shows them next to the button). */
function commitBlockers(preview: Preview, onInvalid: InvalidPolicy, massChangeConfirmed: boolean, { t, label, formatNumber }: Translator): string[] {
  const reasons: string[] = [];
  if (preview.status !== 'ready') reasons.push(t('bulkBlockedStatus', { status: label('bulkPreviewStatus', preview.status) }));
  else if (Date.parse(preview.expiresAt) <= Date.now()) reasons.push(t('bulkBlockedExpired'));
  if (preview.invalid > 0 && onInvalid === 'refuse') reasons.push(t('bulkBlockedInvalid', { count: formatNumber(preview.invalid) }));
  if (preview.changing === 0) reasons.push(t('bulkBlockedNothing'));
  if (preview.massChange.confirmationNeeded && !massChangeConfirmed) reasons.push(t('bulkBlockedMassChange'));
  return reasons;
}

function PreviewView({ preview, busy, onConfirm, onCancel }: { preview: Preview; busy: boolean; onConfirm(onInvalid: InvalidPolicy, confirmMassChange: boolean): void; onCancel(): void }) {
  const translator = useTranslator();
  const { t, label, formatNumber } = translator;
  const [onInvalid, setOnInvalid] = useState<InvalidPolicy>('refuse');
  const [massChangeConfirmed, setMassChangeConfirmed] = useState(false);
  useRenderAtExpiry(preview.expiresAt);
  const blockers = commitBlockers(preview, onInvalid, massChangeConfirmed, translator);
  const entity = label('entity', preview.entity);
  const cards = [
    { name: 'matched', text: t('bulkMatched'), value: preview.matched, tone: '' },
    { name: 'changing', text: label('bulkChanging', preview.operation), value: preview.changing, tone: 'good' },
    ...(preview.operation === 'update' ? [{ name: 'invalid', text: t('bulkInvalid'), value: preview.invalid, tone: preview.invalid > 0 ? 'bad' : '' }] : []),
  ];

  return (
    <section class="preview" aria-labelledby="bulk-preview-title">
      <h2 id="bulk-preview-title">{t(preview.operation === 'update' ? 'bulkPreviewTitleUpdate' : 'bulkPreviewTitleDelete', { entity })}</h2>
      <dl class="cards">
        {cards.map((card) => (
          <div key={card.name} class={`card ${card.tone}`} data-bulk-count={card.name}>
            <dt>{card.text}</dt>
            <dd>{formatNumber(card.value)}</dd>
          </div>
        ))}
      </dl>
      {preview.enrollments === null ? null : (
        <p class="warning" data-testid="bulk-enrollments">
          {t(preview.entity === 'courses' ? 'bulkEnrollmentsOfCourses' : 'bulkEnrollmentsOfStudents', { count: formatNumber(preview.enrollments.affected) })}
        </p>
      )}
      <SampleTable preview={preview} />
      <InvalidRecords preview={preview} />
      {preview.invalid > 0 ? (
        <div class="options">
          <Choice<InvalidPolicy> label={t('bulkOnInvalid')} name="onInvalid" value={onInvalid} values={INVALID_POLICIES} labelOf={(value) => label('bulkOnInvalid', value)} onChange={setOnInvalid} disabled={busy} />
        </div>
      ) : null}
      <MassChangeConfirmation massChange={preview.massChange} text="bulkMassChangeText" confirmLabel="bulkMassChangeConfirm" confirmed={massChangeConfirmed} onConfirmed={setMassChangeConfirmed} disabled={busy} />
      <div class="actions">
        <button type="button" class="primary" disabled={blockers.length > 0 || busy} aria-describedby={blockers.length > 0 ? COMMIT_BLOCKERS_ID : undefined} onClick={() => onConfirm(onInvalid, massChangeConfirmed)}>
          {t(preview.operation === 'update' ? 'bulkConfirmUpdate' : 'bulkConfirmDelete')}
        </button>
        <button type="button" disabled={busy} onClick={onCancel}>
          {t('cancelImport')}
        </button>
      </div>
      <CommitBlockers blockers={blockers} expiresAt={preview.expiresAt} />
    </section>
  );
}

/** The first records that would change: each changed field before and after; for a deletion, the records alone. */
function SampleTable({ preview }: { preview: Preview }) {
  const { t, locale } = useTranslator();
  if (preview.sample.length === 0) return <p>{t('bulkSampleNone')}</p>;
  // In the catalogue's order, as the change form lists them (the service's objects come in PostgreSQL's jsonb key order).
  const changed = new Set(preview.sample.flatMap((record) => Object.keys(record.before)));
  const fields = preview.operation === 'update' ? fieldsOf(preview.entity).map((spec) => spec.name).filter((name) => changed.has(name)) : [];
  const text = (field: string, value: unknown) => fieldValueText(fieldSpec(preview.entity, field), value, locale) || '—';
  return (
    <section aria-labelledby="bulk-sample-title">
      <h3 id="bulk-sample-title">{t('bulkSampleTitle')}</h3>
      <p class="hint">{t('bulkSampleIntro', { count: preview.sample.length })}</p>
      <div class="table-scroll">
        <table data-testid="bulk-sample">
          <thead>
            <tr>
              <th scope="col">{t('recordKey')}</th>
              {fields.map((field) => (
                <th scope="col" key={field}>
                  {fieldLabel(preview.entity, field, locale)}
                </th>
              ))}
              {preview.operation === 'delete' ? <th scope="col">{t('bulkAfter')}</th> : null}
            </tr>
          </thead>
          <tbody>
            {preview.sample.map((record) => (
              <tr key={record.recordId}>
                <td>{record.key}</td>
                {fields.map((field) => (
                  <td key={field}>
                    {text(field, record.before[field])} → {text(field, record.after[field])}
                  </td>
                ))}
                {preview.operation === 'delete' ? <td>{t('outcome_deleted')}</td> : null}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** Every (record, field) the change would make invalid, worded from the issue code as an import's issues are. */
function InvalidRecords({ preview }: { preview: Preview }) {
  const { t } = useTranslator();
  const { total, items } = preview.invalidRecords;
  if (total === 0) return null;
  return (
    <section aria-labelledby="bulk-invalid-title">
      <h3 id="bulk-invalid-title">{t('bulkInvalidTitle')}</h3>
      <p class="hint">{t('bulkInvalidIntro')}</p>
      <IssueTable
        entity={preview.entity}
        placeLabel="recordKey"
        testId="bulk-invalid"
        issues={items.map((item) => ({ id: `${item.recordId}-${item.field}`, place: item.key, issue: { code: item.code, field: item.field, column: null, value: String(item.value), message: item.message } }))}
      />
      {total > items.length ? <p class="hint">{t('moreItems', { count: total - items.length })}</p> : null}
    </section>
  );
}
