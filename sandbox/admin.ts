import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxQueues } from './services/sqs.ts';
import { type Fault, loadWorld, type SandboxState, setFaults } from './state.ts';
import type { World } from './world.ts';

/** Loopback-only control for a sandbox in another process: the world, the faults, the log. */
export const adminControl =
  (state: SandboxState, queues: SandboxQueues) =>
  (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const answer = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (req.method === 'PUT' && req.url === '/__sandbox/world') {
      loadWorld(state, JSON.parse(body.toString()) as World);
      return answer(200, { ok: true });
    }
    if (req.method === 'PUT' && req.url === '/__sandbox/faults') {
      setFaults(state, JSON.parse(body.toString()) as Fault[]);
      return answer(200, { ok: true });
    }
    if (req.method === 'GET' && req.url === '/__sandbox/requests') return answer(200, state.requests);
    if (req.method === 'GET' && req.url === '/__sandbox/events') return answer(200, state.events);
    if (req.method === 'DELETE' && req.url === '/__sandbox/events') {
      state.events.length = 0;
      return answer(200, { ok: true });
    }
    if (req.method === 'GET' && req.url === '/__sandbox/queues') return answer(200, queues.list());
    if (req.method === 'DELETE' && req.url === '/__sandbox/queues') {
      queues.reset();
      return answer(200, { ok: true });
    }
    if (req.method === 'DELETE' && req.url === '/__sandbox/requests') {
      state.requests.length = 0;
      return answer(200, { ok: true });
    }
    return answer(404, { error: 'unknown sandbox control' });
  };
