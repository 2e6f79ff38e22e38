import { UniqueConstraintViolationException } from '@mikro-orm/core';

/**
 * Name of the unique constraint a write broke, or undefined for any other error. Lets a service
 * answer 409 from the database's own verdict instead of a racy read-before-write.
 */
export function violatedUniqueConstraint(error: unknown): string | undefined {
  if (!(error instanceof UniqueConstraintViolationException)) return undefined;
  return (error as unknown as { constraint?: string }).constraint ?? 'unknown';
}
