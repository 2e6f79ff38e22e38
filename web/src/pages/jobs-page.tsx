import { useState } from 'preact/hooks';
import { TERMINAL_JOB_STATUSES, dataOrThrow, type Schemas } from '../api';
import { JobProgressBar, jobPercentage } from '../components/job-progress';
import { PagedTable } from '../components/paged-table';
import { useTranslator } from '../i18n';
import { bulkJobDetails, importJobDetails, undoJobDetails } from '../job-details';
import { useJobWatch } from '../job-watch';
import { href } from '../router';
import { useSignedIn } from '../session';
import { useLoader } from '../use-loader';

type Job = Schemas['JobDto'];
const PAGE_SIZE = 20;

export function JobsPage() {
  const { t } = useTranslator();
  const { client } = useSignedIn();
  const [offset, setOffset] = useState(0);
  const page = useLoader(async (signal) => dataOrThrow(await client.GET('/api/v1/jobs', { params: { query: { limit: PAGE_SIZE, offset } }, signal })), [client, offset]);

  return (
    <section aria-labelledby="jobs-title">
      <h1 id="jobs-title">{t('jobsTitle')}</h1>
      <PagedTable loaded={page} empty={t('jobsEmpty')} limit={PAGE_SIZE} offset={offset} onOffset={setOffset} label={t('jobsTitle')}>
        {(data) => (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('jobCreated')}</th>
                <th scope="col">{t('jobType')}</th>
                <th scope="col">{t('jobSubject')}</th>
                <th scope="col">{t('jobStatus')}</th>
                <th scope="col">{t('jobProgress')}</th>
                <th scope="col">{t('jobCounts')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('openJob')}</span>
                </th>
              </tr>
            </thead>
            <tbody>{data.items.map((job) => (TERMINAL_JOB_STATUSES.has(job.status) ? <JobRow key={job.id} job={job} /> : <LiveJobRow key={job.id} job={job} />))}</tbody>
          </table>
        )}
      </PagedTable>
    </section>
  );
}

/** A job still running follows its own event stream, so the list shows the same live status as the monitor. */
function LiveJobRow({ job }: { job: Job }) {
  const { client } = useSignedIn();
  const watch = useJobWatch(client, job.id);
  return <JobRow job={watch.job ?? job} />;
}

function JobRow({ job }: { job: Job }) {
  const { t, label, formatDateTime, formatNumber } = useTranslator();
  const percentage = jobPercentage(job);
  return (
    <tr>
      <td>{formatDateTime(job.createdAt)}</td>
      <td>{label('type', job.type)}</td>
      <td class="subject">
        <JobSubject job={job} />
      </td>
      <td>
        <span class={`badge ${job.status}`}>{label('status', job.status)}</span>
      </td>
      <td>
        <JobProgressBar percentage={percentage} small />
        <span class="hint">{formatNumber(percentage)} %</span>
      </td>
      <td class="counts">
        {Object.entries(job.result?.counts ?? {})
          .filter(([, value]) => value > 0)
          .map(([name, value]) => `${label('count', name)} ${formatNumber(value)}`)
          .join(' · ')}
      </td>
      <td>
        <a href={href(`/jobs/${job.id}`)}>{t('openJob')}</a>
      </td>
    </tr>
  );
}

/** What a job is about, where its parameters say: the files and entity of an import, the entity of a bulk change or an undo. */
function JobSubject({ job }: { job: Job }) {
  const { label } = useTranslator();
  const importDetails = importJobDetails(job);
  const undo = undoJobDetails(job);
  const entity = importDetails?.entity ?? bulkJobDetails(job)?.entity ?? undo?.entity;
  return (
    <>
      {importDetails === null ? null : <span class="file-names">{importDetails.fileNames.join(', ')}</span>}
      {entity === undefined ? null : <span class="hint"> {label('entity', entity)}</span>}
    </>
  );
}
