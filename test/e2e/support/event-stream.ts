export interface ReceivedEvent {
  id: string;
  data: unknown;
}

/**
 * Reads a server-sent event stream over real HTTP until the server ends it (or the timeout),
 * returning every event with its id.
 */
export async function readEventStream(
  url: string,
  headers: Record<string, string>,
  onEvent: (event: ReceivedEvent) => void = () => undefined,
  timeoutMs = 20_000,
): Promise<{ status: number; contentType: string | null; events: ReceivedEvent[] }> {
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: AbortSignal.timeout(timeoutMs) });
  const events: ReceivedEvent[] = [];
  if (!response.ok || response.body === null) return { status: response.status, contentType: response.headers.get('content-type'), events };
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let boundary = buffer.indexOf('\n\n');
    while (boundary >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const fields = Object.fromEntries(
        block
          .split('\n')
          .filter((line) => line !== '' && !line.startsWith(':'))
          .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trimStart()]),
      );
      if (fields.data !== undefined) {
        const event = { id: fields.id, data: JSON.parse(fields.data) as unknown };
        events.push(event);
        onEvent(event);
      }
      boundary = buffer.indexOf('\n\n');
    }
  }
  return { status: response.status, contentType: response.headers.get('content-type'), events };
}
