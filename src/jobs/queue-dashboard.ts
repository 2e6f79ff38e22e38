import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bullmq';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { Role } from '../auth/role.enum';
import { PROBLEM_CONTENT_TYPE, toProblem } from '../common/problem/problem-details.filter';
import { ProblemException } from '../common/problem/problem.exception';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';
const SESSION_COOKIE = 'sms_queue_dashboard';

/** The token a dashboard request carries: bearer header, or the cookie the entry page set. */
export function dashboardTokenOf(request: Pick<FastifyRequest, 'headers'>): string | undefined {
  const [scheme, bearer] = (request.headers.authorization ?? '').split(' ');
  if (scheme?.toLowerCase() === 'bearer' && bearer) return bearer;
  const cookie = (request.headers.cookie ?? '')
    .split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${SESSION_COOKIE}=`));
  return cookie === undefined ? undefined : decodeURIComponent(cookie.slice(SESSION_COOKIE.length + 1));
}

/** True for every route the dashboard plugin registered, decided on the matched route, not the raw URL. */
function isDashboardRoute(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  return route !== undefined && (route === QUEUE_DASHBOARD_PATH || route.startsWith(`${QUEUE_DASHBOARD_PATH}/`));
}

const signInRequired = (): ProblemException =>
  new ProblemException({
    status: 401,
    code: 'authentication_required',
    title: 'Unauthorized',
    detail: `Open ${QUEUE_DASHBOARD_PATH}?token=<accessToken of an admin> once; the page keeps the session in a cookie.`,
  });

/**
 * Bull Board at /admin/queues, for admins only. Every route under the prefix (the page and its
 * API, which can pause or clean queues) is guarded. A browser cannot send a bearer header on a
 * page load, so the entry page takes `?token=` once, moves it into an HttpOnly cookie scoped to
 * the dashboard, and redirects to a URL without it.
 */
export async function mountQueueDashboard(
  app: NestFastifyApplication,
  queue: Queue,
  authenticate: (token: string) => Promise<AuthenticatedUser>,
): Promise<void> {
  const serverAdapter = new BullBoardFastifyAdapter();
  createBullBoard({ queues: [new BullMQAdapter(queue)], serverAdapter });
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);

  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      if (!isDashboardRoute(request)) return;
      const queryToken = (request.query as { token?: unknown } | undefined)?.token;
      const token = typeof queryToken === 'string' && queryToken !== '' ? queryToken : dashboardTokenOf(request);
      try {
        if (token === undefined) throw signInRequired();
        const user = await authenticate(token);
        if (user.role !== Role.Admin) {
          throw ProblemException.insufficientRole('The queue dashboard is for admins.');
        }
      } catch (error) {
        const { body, headers } = toProblem(error, String(request.id));
        return reply.status(body.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(body);
      }
      if (token === queryToken) {
        const secure = request.protocol === 'https' ? '; Secure' : '';
        const cookie = `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=${QUEUE_DASHBOARD_PATH}; HttpOnly; SameSite=Strict${secure}`;
        return reply.header('set-cookie', cookie).redirect(QUEUE_DASHBOARD_PATH, 303);
      }
    });
  await app.register(serverAdapter.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
}
