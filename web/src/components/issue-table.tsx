import type { Schemas } from '../api';
import { fieldLabel } from '../field-labels';
import { useTranslator, type MessageKey } from '../i18n';
import { issueMessage } from '../issue-messages';

type Issue = Pick<Schemas['ImportIssueDto'], 'code' | 'field' | 'column' | 'value' | 'message'>;

/**
 * Problems of rows or records, each where it is (a file row, a record's key), the field, the
 * message in the console's language (worded from the issue code in Greek) and the value: a
 * rejected row of an import, a record a bulk change would make invalid.
 */
export function IssueTable({ entity, placeLabel, testId, issues }: { entity: Schemas['ImportEntity']; placeLabel: MessageKey; testId: string; issues: { id: string; place: string | number; issue: Issue }[] }) {
  const { t, locale } = useTranslator();
  return (
    <div class="table-scroll">
      <table class="issues" data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">{t(placeLabel)}</th>
            <th scope="col">{t('columnField')}</th>
            <th scope="col">{t('message')}</th>
            <th scope="col">{t('value')}</th>
          </tr>
        </thead>
        <tbody>
          {issues.map(({ id, place, issue }) => (
            <tr key={id}>
              <td>{place}</td>
              <td>{issue.field === null ? (issue.column ?? '') : fieldLabel(entity, issue.field, locale)}</td>
              <td>{issueMessage(issue, entity, locale)}</td>
              <td>{issue.value ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
