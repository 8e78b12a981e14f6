import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { RouterOutputs } from "@prealign/api";
import { useState, type FormEvent } from "react";
import { errorMessage, useTRPC } from "../trpc.ts";
import { GradingRun, useGradingRuns } from "./GradingRun.tsx";
import "./assist.css";

type Connection = RouterOutputs["assist"]["connection"];
type Grader = Connection["graders"][number];

/**
 * Settings → Model assistance, for project admins: the model endpoint (any OpenAI-compatible
 * chat-completions server), its model and API key (write-only: the server says whether one is
 * set, never what it is), the graders, "Test connection", and running the graders over the
 * examples in review as a background job with its progress.
 */
export function ModelSettings({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const connection = useQuery(trpc.assist.connection.queryOptions({ projectSlug: slug }));
  if (connection.error) return <p role="alert" className="error">{errorMessage(connection.error)}</p>;
  if (!connection.data) return <p role="status">Loading…</p>;
  return (
    <>
      {/* Not keyed by the stored values: the form keeps what the admin typed (and its message) across the refetch a save causes. */}
      <ConnectionForm slug={slug} stored={connection.data} />
      {connection.data.source !== "none" && <GradingRuns slug={slug} graders={connection.data.graders} />}
    </>
  );
}

function ConnectionForm({ slug, stored }: { slug: string; stored: Connection }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [baseUrl, setBaseUrl] = useState(stored.baseUrl ?? "");
  const [model, setModel] = useState(stored.model ?? "");
  const [apiKey, setApiKey] = useState("");
  const [removeKey, setRemoveKey] = useState(false);
  const [graders, setGraders] = useState<Grader[]>(stored.graders);
  const [saved, setSaved] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.assist.connection.queryKey({ projectSlug: slug }) });
  const refreshStatus = () => queryClient.invalidateQueries({ queryKey: trpc.assist.status.queryKey({ projectSlug: slug }) });
  const update = useMutation(
    trpc.assist.updateConnection.mutationOptions({
      onSuccess: async () => {
        setSaved(true);
        await Promise.all([refresh(), refreshStatus()]);
      },
    }),
  );
  const remove = useMutation(trpc.assist.removeConnection.mutationOptions({ onSuccess: async () => void (await Promise.all([refresh(), refreshStatus()])) }));
  const test = useMutation(trpc.assist.testConnection.mutationOptions());

  function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    update.mutate({
      projectSlug: slug,
      connection: {
        baseUrl,
        model,
        ...(removeKey ? { apiKey: null } : apiKey ? { apiKey } : {}),
        graders: graders.map((grader) => ({ name: grader.name, instructions: grader.instructions, ...(grader.model ? { model: grader.model } : {}) })),
      },
    });
  }

  function setGrader(index: number, change: Partial<Grader>) {
    setSaved(false);
    setGraders((current) => current.map((grader, at) => (at === index ? { ...grader, ...change } : grader)));
  }

  return (
    <form className="card settings-form model-settings" onSubmit={submit} aria-labelledby="model-title">
      <h2 id="model-title">Model assistance</h2>
      <p className="muted">
        {stored.source === "environment"
          ? "This project uses the server's default endpoint (STUDIO_LLM_BASE_URL). Save here to give it its own."
          : stored.source === "none"
            ? "No model endpoint yet: drafted commentary and model graders are off. Everything else works without one."
            : "Drafted commentary and model graders use this endpoint. The API key stays on the server."}
      </p>
      <label>
        Base URL
        <input type="url" required value={baseUrl} placeholder="http://127.0.0.1:8000/v1" onChange={(e) => setBaseUrl(e.target.value)} />
      </label>
      <label>
        Model
        <input required value={model} onChange={(e) => setModel(e.target.value)} />
      </label>
      <label>
        API key
        <input
          type="password"
          autoComplete="off"
          value={apiKey}
          placeholder={stored.hasApiKey ? "A key is set; type a new one to replace it" : "Optional"}
          onChange={(e) => setApiKey(e.target.value)}
        />
      </label>
      {stored.hasApiKey && (
        <label className="check">
          <input type="checkbox" checked={removeKey} onChange={(e) => setRemoveKey(e.target.checked)} /> Remove the stored key
        </label>
      )}
      <fieldset>
        <legend>Graders</legend>
        {graders.map((grader, index) => (
          <div key={index} className="grader-row" role="group" aria-label={`Grader ${index + 1}`}>
            <label>
              Grader name
              <input required value={grader.name} onChange={(e) => setGrader(index, { name: e.target.value })} />
            </label>
            <label>
              Instructions
              <textarea rows={3} value={grader.instructions} onChange={(e) => setGrader(index, { instructions: e.target.value })} />
            </label>
            <button type="button" className="secondary" onClick={() => setGraders((current) => current.filter((_, at) => at !== index))}>
              Remove grader
            </button>
          </div>
        ))}
        <button type="button" className="secondary" onClick={() => setGraders((current) => [...current, { name: "", instructions: "" }])}>
          Add grader
        </button>
      </fieldset>
      <div className="form-actions">
        <button type="submit" disabled={update.isPending}>
          Save model settings
        </button>
        <button type="button" className="secondary" disabled={test.isPending || stored.source === "none"} onClick={() => test.mutate({ projectSlug: slug })}>
          Test connection
        </button>
        {stored.source === "project" && (
          <button type="button" className="secondary" disabled={remove.isPending} onClick={() => remove.mutate({ projectSlug: slug })}>
            Remove connection
          </button>
        )}
        {saved && !update.isPending && <span role="status" className="notice">Model settings saved.</span>}
        {test.isPending && <span role="status">Testing…</span>}
      </div>
      {test.data && (
        <p role={test.data.ok ? "status" : "alert"} className={test.data.ok ? "notice" : "error"}>
          {test.data.message}
        </p>
      )}
      {[update.error, remove.error, test.error].map((error, index) => error && <p key={index} role="alert" className="error">{errorMessage(error)}</p>)}
    </form>
  );
}

/** Runs the graders over the examples in review, and shows the latest runs with their progress. */
function GradingRuns({ slug, graders }: { slug: string; graders: Grader[] }) {
  const { runs, start } = useGradingRuns(slug);
  return (
    <section className="card" aria-labelledby="grading-title">
      <h2 id="grading-title">Grading runs</h2>
      <p className="muted">
        Runs every grader ({graders.map((grader) => grader.name).join(", ") || "none yet: add one above"}) over the examples in review. Reviewers see the graders'
        flags as suggestions.
      </p>
      <button type="button" disabled={start.isPending || graders.length === 0} onClick={() => start.mutate({ projectSlug: slug, graders: [] })}>
        Run graders
      </button>
      {start.error && <p role="alert" className="error">{errorMessage(start.error)}</p>}
      <ul className="suggestion-list" aria-label="Grading runs">
        {runs.data?.map((job) => (
          <li key={job.id}>
            <GradingRun job={job} />
          </li>
        ))}
      </ul>
    </section>
  );
}
