import type { Schemas } from './api';

type Job = Schemas['JobDto'];
type Entity = Schemas['ImportEntity'];

/*
 * The spec types a job's parameters and result data by its type (src/jobs/job-payloads.ts), but a
 * job started by an older version may lack members: the console checks each member it shows, so
 * such a job shows less rather than breaking the page.
 */

const ENTITIES: readonly string[] = ['students', 'courses', 'enrollments'] satisfies Entity[];

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function texts(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function entity(value: unknown): Entity | undefined {
  return typeof value === 'string' && ENTITIES.includes(value) ? (value as Entity) : undefined;
}

export interface ImportJobDetails {
  entity: Entity | undefined;
  fileNames: string[];
  /** The import's previews, whose issues say why rows were left out; known once the job has a result. */
  previewIds: string[];
}

/** What a bulk_import job imported: its parameters name the entity and files, its result the previews. */
export function importJobDetails(job: Job): ImportJobDetails | null {
  if (job.type !== 'bulk_import') return null;
  const files: unknown = job.parameters.files;
  const fileNames = Array.isArray(files) ? files.map((file: unknown) => (typeof file === 'object' && file !== null ? text((file as { fileName?: unknown }).fileName) : undefined)).filter((name) => name !== undefined) : [];
  const data = job.result?.data ?? {};
  const previewIds = texts(data.previewIds);
  return { entity: entity(job.parameters.entity) ?? entity(data.entity), fileNames: fileNames.length > 0 ? fileNames : texts(data.fileNames), previewIds: previewIds.length > 0 ? previewIds : texts(job.parameters.previewIds) };
}

/** The import a bulk_import_undo job undoes. */
export function undoJobDetails(job: Job): { importJobId: string; entity: Entity | undefined } | null {
  if (job.type !== 'bulk_import_undo') return null;
  const importJobId = text(job.parameters.importJobId);
  return importJobId === undefined ? null : { importJobId, entity: entity(job.parameters.entity) };
}

/** What a bulk_update or bulk_delete job changes: its parameters name the entity, as its result's data does. */
export function bulkJobDetails(job: Job): { operation: 'update' | 'delete'; entity: Entity | undefined } | null {
  if (job.type !== 'bulk_update' && job.type !== 'bulk_delete') return null;
  return { operation: job.type === 'bulk_update' ? 'update' : 'delete', entity: entity(job.parameters.entity) ?? entity(job.result?.data?.entity) };
}
