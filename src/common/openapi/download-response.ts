import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiProduces } from '@nestjs/swagger';
import { headerRefs } from './header-components';

type MediaSchema = { type: 'string'; format: 'binary' } | { type: 'array'; items: object } | { $ref: string };

/** Bytes to save as they come (CSV, NDJSON, XLSX): generated clients hand them over as a Blob, never parsed. */
export const BINARY: MediaSchema = { type: 'string', format: 'binary' };

/** A 200 that is a file: one schema per media type, and the `Content-Disposition` that names the file. */
export function ApiDownloadResponse(description: string, content: Record<string, MediaSchema>): MethodDecorator {
  return applyDecorators(
    ApiProduces(...Object.keys(content)),
    ApiOkResponse({
      description,
      headers: headerRefs('Content-Disposition'),
      content: Object.fromEntries(Object.entries(content).map(([mediaType, schema]) => [mediaType, { schema }])),
    }),
  );
}
