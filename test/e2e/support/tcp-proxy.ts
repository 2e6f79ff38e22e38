import { createConnection, createServer, Server, Socket } from 'node:net';

export interface TcpProxy {
  /** The proxy's own port on 127.0.0.1. */
  port: number;
  /** Refuses new connections and drops every open one, as a dependency that went away. */
  cut(): Promise<void>;
  /**
   * Drops every open connection, then accepts new ones but never answers on them, as a host that
   * stopped responding: only the clients' own timeouts end the wait.
   */
  stall(): Promise<void>;
  /** Accepts and forwards again, on the same port. */
  restore(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

function stopListening(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((error) => (error === undefined ? resolve() : reject(error))));
}

/**
 * A TCP forwarder to a shared service (PostgreSQL, Redis) that a test can cut, stall and restore,
 * so an outage is simulated for one app without touching the service others use.
 */
export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let stalled = false;
  const track = (socket: Socket): void => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    // A reset while forwarding is what an outage looks like; the other side is closed with it.
    socket.on('error', () => socket.destroy());
  };
  const server = createServer((client) => {
    track(client);
    if (stalled) return;
    const upstream = createConnection(targetPort, targetHost);
    track(upstream);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const port = await listen(server, 0);
  const dropAll = (): void => {
    for (const socket of open) socket.destroy();
  };
  return {
    port,
    async cut() {
      stalled = false;
      dropAll();
      if (server.listening) await stopListening(server);
    },
    async stall() {
      stalled = true;
      dropAll();
      if (!server.listening) await listen(server, port);
    },
    async restore() {
      if (stalled) dropAll();
      stalled = false;
      if (!server.listening) await listen(server, port);
    },
  };
}
