/**
 * Calling a project's model endpoint through the official `openai` client, which speaks the
 * chat-completions protocol to any compatible server by its base URL.
 *
 * Every call is bounded: a timeout per attempt (`STUDIO_LLM_TIMEOUT_MS`, default 60 s), the
 * caller's AbortSignal (a browser that goes away cancels its request), a few retries of rate
 * limits (429), timeouts and server errors — the client waits as long as `retry-after` (or
 * `retry-after-ms`) asks, up to a minute, else backs off exponentially — and a limit on how
 * many requests one project has in flight at once (`STUDIO_LLM_CONCURRENCY`, default 4), so that
 * one project cannot flood a shared model server. Whatever goes wrong becomes a
 * {@link ModelEndpointError} whose message says what happened and what to do.
 */
import OpenAI from "openai";
import { DomainError, RateLimitedError } from "../../errors.ts";
import type { ResolvedConnection } from "./connection.ts";

/** A failure of the model endpoint, in words for the person who asked. */
export class ModelEndpointError extends DomainError {
  readonly kind = "invalid";
}

/** The request was cancelled by the caller (a closed page, a cancelled job). */
export class ModelRequestAbortedError extends DomainError {
  readonly kind = "conflict";
  constructor() {
    super("The request to the model was cancelled before it finished; nothing was kept.");
  }
}

/** The limits every call works within, read from the environment when a call starts. */
export interface LlmLimits {
  /** Per attempt, in milliseconds. */
  timeoutMs: number;
  /** Attempts after the first, for 429, timeouts and 5xx. */
  maxRetries: number;
  /** Requests one project may have in flight. */
  concurrency: number;
}

function positiveInteger(value: string | undefined, fallback: number): number {
  const number = Number(value);
  return Number.isInteger(number) && number >= 0 ? number : fallback;
}

/** The limits in force: `STUDIO_LLM_TIMEOUT_MS`, `STUDIO_LLM_MAX_RETRIES`, `STUDIO_LLM_CONCURRENCY`. */
export function llmLimits(env: NodeJS.ProcessEnv = process.env): LlmLimits {
  return {
    timeoutMs: Math.max(1, positiveInteger(env.STUDIO_LLM_TIMEOUT_MS, 60_000)),
    maxRetries: positiveInteger(env.STUDIO_LLM_MAX_RETRIES, 2),
    concurrency: Math.max(1, positiveInteger(env.STUDIO_LLM_CONCURRENCY, 4)),
  };
}

/** Requests in flight per project, in this process. */
const inFlight = new Map<string, number>();

/**
 * Takes one of the project's places for a request in flight and answers the function that gives
 * it back (call it exactly once, in a `finally`). Refuses with a clear message when the project
 * already has as many requests in flight as the limit allows.
 */
export function acquireRequestSlot(projectId: string): () => void {
  const { concurrency } = llmLimits();
  const busy = inFlight.get(projectId) ?? 0;
  if (busy >= concurrency) {
    throw new RateLimitedError(
      `This project already has ${busy} requests to its model in flight, the most allowed at once (STUDIO_LLM_CONCURRENCY). ` +
        "Wait for one to finish and try again.",
      { retryAfterSeconds: 5 },
    );
  }
  inFlight.set(projectId, busy + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (inFlight.get(projectId) ?? 1) - 1;
    if (left <= 0) inFlight.delete(projectId);
    else inFlight.set(projectId, left);
  };
}

/** Runs `work` as one of the project's requests in flight (see {@link acquireRequestSlot}). */
export async function withRequestSlot<T>(projectId: string, work: () => Promise<T>): Promise<T> {
  const release = acquireRequestSlot(projectId);
  try {
    return await work();
  } finally {
    release();
  }
}

/** A client for one connection. */
export function clientFor(connection: ResolvedConnection, limits: LlmLimits = llmLimits()): OpenAI {
  return new OpenAI({
    baseURL: connection.baseUrl,
    // The protocol needs a bearer token; local servers ignore it.
    apiKey: connection.apiKey ?? "no-key",
    timeout: limits.timeoutMs,
    maxRetries: limits.maxRetries,
    // Never let an environment's OPENAI_* settings leak into a project's requests.
    organization: null,
    project: null,
  });
}

/** The endpoint's own words from an error body, shortened. */
function endpointSaid(error: InstanceType<typeof OpenAI.APIError>): string {
  const said = typeof error.error === "object" && error.error !== null && "message" in error.error ? String(error.error.message) : "";
  const text = said || error.message;
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/**
 * The error to report for what calling `connection` threw. The message never holds the API
 * key: it is built from the status, the base URL and the endpoint's own message.
 */
export function describeFailure(error: unknown, connection: ResolvedConnection, limits: LlmLimits = llmLimits()): DomainError {
  const described = describe(error, connection, limits);
  // An endpoint may echo the key it was sent ("Incorrect API key provided: sk-…").
  const key = connection.apiKey;
  if (!key || !described.message.includes(key)) return described;
  return new ModelEndpointError(described.message.replaceAll(key, "[the API key]"));
}

function describe(error: unknown, connection: ResolvedConnection, limits: LlmLimits): DomainError {
  if (error instanceof DomainError) return error;
  const where = `The model endpoint at ${connection.baseUrl}`;
  const attempts = limits.maxRetries + 1;
  if (error instanceof OpenAI.APIUserAbortError) return new ModelRequestAbortedError();
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new ModelEndpointError(
      `${where} did not answer within ${limits.timeoutMs / 1000} s (${attempts} attempts). ` +
        "Check that the model server is running and not overloaded, or allow longer with STUDIO_LLM_TIMEOUT_MS.",
    );
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new ModelEndpointError(`${where} could not be reached. Check that the model server is running and that the base URL is right.`);
  }
  if (error instanceof OpenAI.APIError) {
    const status = error.status;
    if (status === 429) {
      return new ModelEndpointError(
        `${where} is limiting requests (HTTP 429) and still was after waiting as it asked (${attempts} attempts). Try again later.`,
      );
    }
    if (status === 401 || status === 403) {
      return new ModelEndpointError(`${where} refused the request (HTTP ${status}: ${endpointSaid(error)}). Check the API key in Settings.`);
    }
    if (status === 404) {
      return new ModelEndpointError(
        `${where} answered HTTP 404 (${endpointSaid(error)}). Check the base URL (it usually ends in /v1) and the model name "${connection.model}".`,
      );
    }
    if (status !== undefined) {
      return new ModelEndpointError(`${where} answered HTTP ${status} (${endpointSaid(error)}) after ${attempts} attempts. Try again later.`);
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ModelEndpointError(`${where} gave an answer that could not be read (${message}). Check that it speaks the chat-completions protocol.`);
}

/** One message of a conversation. */
export interface ChatMessage {
  role: "system" | "user";
  content: string;
}

/**
 * Asks for a structured answer: `schema` is sent as the response format (JSON schema, strict);
 * answers the message's content, unparsed. Throws {@link ModelEndpointError} for every failure.
 */
export async function completeJson(
  connection: ResolvedConnection,
  request: { model: string; messages: ChatMessage[]; schemaName: string; schema: Record<string, unknown>; signal?: AbortSignal },
): Promise<string> {
  const limits = llmLimits();
  try {
    const completion = await clientFor(connection, limits).chat.completions.create(
      {
        model: request.model,
        messages: request.messages,
        temperature: 0,
        response_format: { type: "json_schema", json_schema: { name: request.schemaName, schema: request.schema, strict: true } },
      },
      request.signal ? { signal: request.signal } : {},
    );
    const content = completion.choices?.[0]?.message?.content;
    if (typeof content !== "string") throw new ModelEndpointError(`The model endpoint at ${connection.baseUrl} answered with no message content.`);
    return content;
  } catch (error) {
    throw describeFailure(error, connection, limits);
  }
}

/**
 * Streams a plain-text answer: yields the text of each chunk as it arrives. The timeout covers
 * the wait for the answer to start (the client's) and every pause between chunks (here: a
 * server that stops sending in the middle is given up on, not waited for). Throws
 * {@link ModelEndpointError} (or {@link ModelRequestAbortedError}) for every failure, also one
 * in the middle of the stream.
 */
export async function* streamText(
  connection: ResolvedConnection,
  request: { messages: ChatMessage[]; signal?: AbortSignal; maxTokens?: number },
): AsyncGenerator<string> {
  const limits = llmLimits();
  const controller = new AbortController();
  const cancel = () => controller.abort();
  request.signal?.addEventListener("abort", cancel, { once: true });
  if (request.signal?.aborted) controller.abort();
  let stalled = false;
  let idle: NodeJS.Timeout | undefined;
  const watch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      stalled = true;
      controller.abort();
    }, limits.timeoutMs);
  };
  try {
    const stream = await clientFor(connection, limits).chat.completions.create(
      { model: connection.model, messages: request.messages, stream: true, ...(request.maxTokens ? { max_tokens: request.maxTokens } : {}) },
      { signal: controller.signal },
    );
    watch();
    for await (const chunk of stream) {
      watch();
      const text = chunk.choices?.[0]?.delta?.content;
      if (typeof text === "string" && text !== "") yield text;
    }
    // The client ends an aborted stream quietly, as if the answer were complete: it is not.
    if (controller.signal.aborted) throw new ModelRequestAbortedError();
  } catch (error) {
    if (stalled) {
      throw new ModelEndpointError(
        `The model endpoint at ${connection.baseUrl} stopped sending its answer for ${limits.timeoutMs / 1000} s and was given up on; nothing was kept. ` +
          "Try again, or allow longer with STUDIO_LLM_TIMEOUT_MS.",
      );
    }
    throw describeFailure(error, connection, limits);
  } finally {
    clearTimeout(idle);
    request.signal?.removeEventListener("abort", cancel);
    // Also when the consumer stops early: the request to the model ends with it.
    controller.abort();
  }
}

/** Asks for a one-word answer, to check that the endpoint, model and key work. Answers what the model said. */
export async function pingModel(connection: ResolvedConnection, signal?: AbortSignal): Promise<string> {
  const limits = { ...llmLimits(), maxRetries: 0 };
  try {
    const completion = await clientFor(connection, limits).chat.completions.create(
      { model: connection.model, messages: [{ role: "user", content: "Answer with the single word: ready" }], max_tokens: 5 },
      signal ? { signal } : {},
    );
    return completion.choices?.[0]?.message?.content ?? "";
  } catch (error) {
    throw describeFailure(error, connection, limits);
  }
}
