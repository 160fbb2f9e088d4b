import type { FastifyReply } from 'fastify';

/** Aborts when the client closes the response before it is sent. */
export function clientGone(reply: FastifyReply): AbortController {
  const gone = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) gone.abort();
  });
  return gone;
}
