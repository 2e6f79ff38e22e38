import { followJob } from '../../openapi/client';
import { readEventStream } from './support/event-stream';
import { Job, postImportForm, previewImport } from './support/imports';
import { startTestApp, TestApp } from './support/test-app';

const ROWS = 200_000;
/** The longest a running job's percentage may stand still. */
const MOST_STILL_MS = 2_000;

function studentsCsv(rows: number): string {
  const lines = ['studentId,email,firstName,lastName,studyYear'];
  for (let index = 0; index < rows; index += 1) lines.push(`PRG${index},prg${index}@school.example,Όνομα${index},Επώνυμο,${(index % 4) + 1}`);
  return `${lines.join('\n')}\n`;
}

/** When Redis added the event: its stream id is "<milliseconds>-<sequence>". */
const eventTime = (id: string) => Number(id.split('-')[0]);

describe('import job progress', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp('import_progress');
  });

  afterAll(async () => {
    await t.close();
  });

  it(
    `moves steadily, in rows, through every event of a ${ROWS}-row commit`,
    async () => {
      const preview = await previewImport(t.admin, { name: 'progress.csv', content: studentsCsv(ROWS) }, { entity: 'students' });
      if (preview.data === undefined) throw new Error(`preview: ${preview.response.status} ${preview.error.code}`);
      expect(preview.data.summary?.create).toBe(ROWS);
      const committed = await t.admin.POST('/api/v1/imports/previews/{id}/commit', { params: { path: { id: preview.data.id } } });
      if (committed.data === undefined) throw new Error(`commit: ${committed.response.status} ${committed.error.code}`);

      // The stream replays the job's stored events from its first, then follows it live to its end.
      const { events } = await readEventStream(`${t.baseUrl}/api/v1/jobs/${committed.data.id}/events`, { authorization: `Bearer ${t.adminToken}` }, undefined, 180_000);
      const samples = events.map((event) => ({ at: eventTime(event.id), job: event.data as Job }));
      const last = samples[samples.length - 1].job;
      expect(last.status).toBe('completed');
      expect(last.result?.counts).toMatchObject({ created: ROWS });

      const running = samples.filter((sample) => sample.job.status === 'processing');
      // One unit for the whole job: the rows the preview counted.
      const reported = running.filter((sample) => sample.job.progress.total !== null);
      expect(reported.length).toBeGreaterThan(5);
      for (const { job } of reported) {
        expect(job.progress).toMatchObject({ total: ROWS, unit: 'rows' });
        expect(job.progress.processed).toBeLessThanOrEqual(ROWS);
      }
      // Every phase shows up, the write included.
      const messages = new Set(reported.map((sample) => sample.job.progress.message));
      expect([...messages].some((message) => message?.startsWith('Writing'))).toBe(true);
      // Never back, and never still for long while the job runs: from one move of the percentage to
      // the next (or to the job's end), at most MOST_STILL_MS by the events' own times.
      const backwards = running.filter((sample, index) => index > 0 && sample.job.progress.percentage < running[index - 1].job.progress.percentage);
      expect(backwards).toEqual([]);
      const stills: { percentage: number; message: string | null; stillMs: number }[] = [];
      let moved = running[0];
      for (const sample of [...running.slice(1), samples[samples.length - 1]]) {
        if (sample.at - moved.at > MOST_STILL_MS) stills.push({ percentage: moved.job.progress.percentage, message: moved.job.progress.message, stillMs: sample.at - moved.at });
        if (sample.job.progress.percentage > moved.job.progress.percentage) moved = sample;
      }
      expect(stills).toEqual([]);
      expect(last.progress.percentage).toBe(100);
    },
    300_000,
  );

  it('counts the bytes of the file, against its size, in an upload that no preview counted', async () => {
    const csv = studentsCsv(50_000).replace(/PRG/g, 'UPL').replace(/prg/g, 'upl');
    const upload = await postImportForm<Job>(t.baseUrl, t.adminToken, '/api/v1/imports/upload', { name: 'upload.csv', content: csv }, { entity: 'students' });
    expect(upload.status).toBe(202);
    const jobs: Job[] = [];
    for await (const job of followJob(t.admin, upload.body.id)) jobs.push(job);
    expect(jobs.at(-1)?.status).toBe('completed');
    const running = jobs.filter((job) => job.status === 'processing' && job.progress.total !== null);
    expect(running.length).toBeGreaterThan(0);
    for (const job of running) {
      expect(job.progress).toMatchObject({ total: Buffer.byteLength(csv), unit: 'bytes' });
      expect(job.progress.processed).toBeLessThanOrEqual(Buffer.byteLength(csv));
    }
    expect(new Set(running.map((job) => job.progress.message?.split(' (')[0]))).toEqual(
      new Set(['Reading and checking rows', 'Planning: matching the rows with the records', 'Recording the findings', 'Writing the records']),
    );
  }, 120_000);
});
