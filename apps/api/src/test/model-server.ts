/**
 * A local model server for tests: speaks the chat-completions protocol (`POST
 * /v1/chat/completions`, streaming as server-sent events or not) on 127.0.0.1, answering each
 * request as the test's `answer` function says, and recording every request it received.
 * Used by the API tests and by the end-to-end spec (nothing is downloaded, no network needed).
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** How to answer one request. */
export type ModelReply =
  /** A completion whose message content is `content` (as SSE chunks when the request streams). */
  | { kind: "content"; content: string; pieces?: number; pieceDelayMs?: number }
  /** An HTTP error status with a body and headers (for example `retry-after`). */
  | { kind: "status"; status: number; body?: string; headers?: Record<string, string> }
  /** A 200 whose body is not a completion at all. */
  | { kind: "raw"; body: string }
  /** Never answers (until the client gives up). */
  | { kind: "hang" };

/** One request the server received. */
export interface ReceivedRequest {
  at: number;
  headers: IncomingHttpHeaders;
  /** Whether the client went away before the answer was complete (a cancelled request). */
  closedEarly: boolean;
  body: { model?: string; stream?: boolean; messages?: { role: string; content: string }[]; response_format?: unknown };
}

/** A running model server. */
export interface ModelServer {
  /** The base URL to configure: `http://127.0.0.1:<port>/v1`. */
  baseUrl: string;
  /** Every request received, in order. */
  requests: ReceivedRequest[];
  /** Replaces how requests are answered. */
  answer: (reply: (request: ReceivedRequest, index: number) => ModelReply) => void;
  close(): Promise<void>;
}

function completion(model: string, content: string) {
  return {
    id: "chatcmpl-test",
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  };
}

function chunk(model: string, delta: Record<string, string>, finish: string | null = null) {
  return {
    id: "chatcmpl-test",
    object: "chat.completion.chunk",
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
}

/** Cuts `text` into `count` pieces of about equal length (by code points). */
function piecesOf(text: string, count: number): string[] {
  const points = Array.from(text);
  const size = Math.max(1, Math.ceil(points.length / count));
  const pieces: string[] = [];
  for (let at = 0; at < points.length; at += size) pieces.push(points.slice(at, at + size).join(""));
  return pieces;
}

/** Starts a model server on a free port (or `port`). */
export async function startModelServer(reply: (request: ReceivedRequest, index: number) => ModelReply, port = 0): Promise<ModelServer> {
  let current = reply;
  const requests: ReceivedRequest[] = [];
  const hanging = new Set<import("node:http").ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (data: Buffer) => chunks.push(data));
    req.on("end", () => {
      void (async () => {
        if (req.method !== "POST" || !req.url?.endsWith("/chat/completions")) {
          res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `No route ${req.url}` } }));
          return;
        }
        let body: ReceivedRequest["body"] = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ReceivedRequest["body"];
        } catch {
          // Recorded as an empty body; the test decides what to answer.
        }
        const request: ReceivedRequest = { at: Date.now(), headers: req.headers, closedEarly: false, body };
        requests.push(request);
        res.on("close", () => {
          if (!res.writableEnded) request.closedEarly = true;
        });
        const plan = current(request, requests.length - 1);
        const model = body.model ?? "test-model";
        if (plan.kind === "hang") {
          hanging.add(res);
          res.on("close", () => hanging.delete(res));
          return;
        }
        if (plan.kind === "status") {
          res.writeHead(plan.status, { "content-type": "application/json", ...plan.headers });
          res.end(plan.body ?? JSON.stringify({ error: { message: `Test server answered ${plan.status}` } }));
          return;
        }
        if (plan.kind === "raw") {
          res.writeHead(200, { "content-type": "application/json" }).end(plan.body);
          return;
        }
        if (!body.stream) {
          res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(completion(model, plan.content)));
          return;
        }
        res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
        const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
        send(chunk(model, { role: "assistant", content: "" }));
        for (const piece of piecesOf(plan.content, plan.pieces ?? 4)) {
          if (res.destroyed) return;
          send(chunk(model, { content: piece }));
          if (plan.pieceDelayMs) await new Promise((resolve) => setTimeout(resolve, plan.pieceDelayMs));
        }
        send(chunk(model, {}, "stop"));
        res.end("data: [DONE]\n\n");
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${address.port}/v1`,
    requests,
    answer: (next) => {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
