import type { FastifyRequest } from 'fastify';

/** Who made a request and from where, as an audit row records it. */
export interface AuditRequestContext {
  userId: string | null;
  email: string | null;
  /** The client: X-Forwarded-For only when the socket peer is a trusted proxy (Fastify's request.ip). */
  ipAddress: string | null;
  /** The socket peer itself. */
  peerAddress: string | null;
  userAgent: string | null;
  requestId: string | null;
}

export function auditContextOf(request: FastifyRequest): AuditRequestContext {
  const userAgent = request.headers['user-agent'];
  return {
    userId: request.user?.id ?? null,
    email: request.user?.email ?? null,
    ipAddress: request.ip ?? null,
    peerAddress: request.socket?.remoteAddress ?? null,
    userAgent: typeof userAgent === 'string' ? userAgent : null,
    requestId: String(request.id),
  };
}
