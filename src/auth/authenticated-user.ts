import { Role } from './role.enum';

/** Who made the request, as the auth guard resolved it; attached to the request as `user`. */
export interface AuthenticatedUser {
  id: string;
  email: string;
  role: Role;
  /** The session (token `jti`) the request came with; logout revokes it. */
  sessionId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    user?: AuthenticatedUser;
  }
}
