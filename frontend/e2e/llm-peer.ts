// A stand-in for an LLM provider (which cannot be reached from here) that
// speaks the real wire protocol: OpenAI-compatible `POST /v1/chat/completions`
// with `stream: true`, answered as server-sent events a word at a time, so
// the browser can be watched rendering a streamed answer. The answer cites
// the numbered sources Lectern put in the prompt. The server under test uses
// its production LLM client against it.

import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface LlmPeer {
  url: string;
  requests: { model: string; question: string; sources: string[] }[];
  close(): Promise<void>;
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
}

/** The answer: one sentence per source (at most three), each citing it. */
export function answerFor(sources: string[]): string {
  if (!sources.length) return 'The sources do not answer this question.';
  return sources
    .slice(0, 3)
    .map((title, i) => `The post “${title}” covers this [${i + 1}].`)
    .join(' ');
}

export function startLlmPeer(delayMs = 60): Promise<LlmPeer> {
  const requests: LlmPeer['requests'] = [];
  const server: Server = createServer(async (request, response) => {
    if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    const body = await readJson(request);
    const messages = (body.messages ?? []) as { role: string; content: string }[];
    const user = messages.find((m) => m.role === 'user')?.content ?? '';
    const sources = [...user.matchAll(/^\[(\d+)\] ([^\n—]+)/gm)].map((m) => m[2]!.trim());
    const question = /Question: (.*)$/s.exec(user)?.[1] ?? '';
    requests.push({ model: String(body.model), question, sources });
    if (body.stream !== true) {
      response.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"stream expected"}}');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const send = (data: unknown) => response.write(`data: ${JSON.stringify(data)}\n\n`);
    send({ id: 'e2e', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: null }] });
    const words = answerFor(sources).split(/(?<= )/);
    for (const word of words) {
      if (response.destroyed) return;
      await new Promise((r) => setTimeout(r, delayMs));
      send({ id: 'e2e', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: word }, finish_reason: null }] });
    }
    send({ id: 'e2e', object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
    send({ id: 'e2e', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 100, completion_tokens: words.length, total_tokens: 100 + words.length } });
    response.end('data: [DONE]\n\n');
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}/v1`,
        requests,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}
