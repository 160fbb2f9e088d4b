import WebSocket from 'ws';

/** One StellarByte frame as a client receives it. */
export interface ReceivedWsFrame {
  event: string;
  data: any;
  id?: string;
}

/** A ws client (tests only) that records frames and can wait for one. */
export async function connectWs(url: string, headers: Record<string, string> = {}) {
  const socket = new WebSocket(url, { headers, perMessageDeflate: false });
  const frames: ReceivedWsFrame[] = [];
  const waiters: Array<{ test: (frame: ReceivedWsFrame) => boolean; resolve: (frame: ReceivedWsFrame) => void }> = [];
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as ReceivedWsFrame;
    frames.push(frame);
    for (const waiter of [...waiters]) {
      if (waiter.test(frame)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    frames,
    send: (frame: unknown) => socket.send(JSON.stringify(frame)),
    /** The first frame, already received or still to come, that passes `test`. */
    waitFor: (test: (frame: ReceivedWsFrame) => boolean) =>
      new Promise<ReceivedWsFrame>((resolve) => {
        const found = frames.find(test);
        if (found) resolve(found);
        else waiters.push({ test, resolve });
      }),
  };
}

/** The HTTP status a refused handshake answered with. */
export function refusedStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.once('open', () => reject(new Error('the handshake was accepted')));
    socket.once('error', () => undefined);
  });
}

/** The text a client shows: every text delta, in order. */
export const textOf = (frames: ReceivedWsFrame[]): string =>
  frames.filter((frame) => frame.event === 'content_block_delta' && frame.data.delta.type === 'text_delta').map((frame) => frame.data.delta.text).join('');
