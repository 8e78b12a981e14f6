import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { RouterOutputs } from "@prealign/api";
import { useState, type FormEvent } from "react";
import { Link, useParams } from "react-router";
import { BAD_BEHAVIOUR_CATEGORIES, describeFilters, type ExportFilterRecord } from "@prealign/core";
import { formatBytes, isUnfinished, JOB_POLL_MS, JobProgress } from "../data/JobProgress.tsx";
import { errorMessage, useTRPC } from "../trpc.ts";

type Snapshot = RouterOutputs["exports"]["list"]["snapshots"][number];

/** A snapshot's summary, as its export wrote it. */
interface SnapshotSummary {
  format?: string;
  tokenizer?: string;
  shards?: Array<{ path: string; sha256: string; records: number; bytes: number; tokens?: number | null }>;
  added?: number;
  removed?: number;
  duplicates?: { count: number };
  filters?: ExportFilterRecord;
}

const FORMATS = ["both", "jsonl", "parquet"] as const;
const TOKENIZERS = ["o200k_base", "cl100k_base", "none"] as const;

/** The files of a snapshot besides its shards, which every snapshot has. */
const SNAPSHOT_FILES = ["README.md", "manifest.json", "grammar.json"];

/**
 * A project's exports (`/projects/:slug/exports`, project admins): start an export of the
 * accepted examples, watch its progress, and see past snapshots with their counts, sizes and
 * checksums, each file ready to download.
 */
export function ExportsPage() {
  const { slug = "" } = useParams();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const exports = useQuery({
    ...trpc.exports.list.queryOptions({ projectSlug: slug }),
    refetchInterval: (query) => (query.state.data?.jobs.some(isUnfinished) ? JOB_POLL_MS : false),
  });
  const refresh = () => queryClient.invalidateQueries(trpc.exports.list.queryFilter({ projectSlug: slug }));
  const listKey = trpc.exports.list.queryKey({ projectSlug: slug });
  const start = useMutation(
    trpc.exports.start.mutationOptions({
      // The new job shows at once, progress bar and all, before the list is asked again.
      onSuccess: async (job) => {
        queryClient.setQueryData(listKey, (list) => (list ? { ...list, jobs: [job, ...list.jobs.filter((j) => j.id !== job.id)] } : list));
        await refresh();
      },
    }),
  );
  const cancel = useMutation(trpc.jobs.cancel.mutationOptions({ onSuccess: refresh }));
  const [format, setFormat] = useState<(typeof FORMATS)[number]>("both");
  const [tokenizer, setTokenizer] = useState<(typeof TOKENIZERS)[number]>("o200k_base");
  const [filters, setFilters] = useState({ scenario: "", category: "", createdFrom: "", createdTo: "" });
  const setFilter = (name: keyof typeof filters) => (event: { target: { value: string } }) => setFilters({ ...filters, [name]: event.target.value });

  function submit(event: FormEvent) {
    event.preventDefault();
    // Empty fields filter nothing.
    const chosen = Object.fromEntries(Object.entries(filters).filter(([, value]) => value.trim() !== ""));
    start.mutate({ projectSlug: slug, format, tokenizer, filters: chosen });
  }

  const jobs = exports.data?.jobs ?? [];
  const unfinished = jobs.filter(isUnfinished);
  const failed = jobs.filter((job) => job.status === "failed" || job.status === "cancelled").slice(0, 3);
  return (
    <section className="exports">
      <p>
        <Link to={`/projects/${slug}`}>← Back to the project</Link>
      </p>
      <h1>Exports</h1>
      <p className="muted">
        An export is a snapshot of the project's accepted examples as JSONL and Parquet shards, with a dataset card, a manifest and the
        grammar, loadable with <code>datasets.load_dataset</code>, DuckDB or pandas.
      </p>
      <form className="card export-form" onSubmit={submit}>
        <label>
          Format
          <select value={format} onChange={(e) => setFormat(FORMATS.find((f) => f === e.target.value) ?? "both")}>
            {FORMATS.map((f) => (
              <option key={f} value={f}>
                {f === "both" ? "JSONL and Parquet" : f === "jsonl" ? "JSONL" : "Parquet"}
              </option>
            ))}
          </select>
        </label>
        <label>
          Tokenizer
          <select value={tokenizer} onChange={(e) => setTokenizer(TOKENIZERS.find((t) => t === e.target.value) ?? "o200k_base")}>
            {TOKENIZERS.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="export-filters">
          <legend>Only examples (optional)</legend>
          <label>
            Scenario key
            <input value={filters.scenario} onChange={setFilter("scenario")} />
          </label>
          <label>
            With a mark of
            <select value={filters.category} onChange={setFilter("category")}>
              <option value="">any category</option>
              {BAD_BEHAVIOUR_CATEGORIES.map((category) => (
                <option key={category} value={category}>
                  {category.replaceAll("_", " ")}
                </option>
              ))}
            </select>
          </label>
          <label>
            Created from
            <input type="date" value={filters.createdFrom} onChange={setFilter("createdFrom")} />
          </label>
          <label>
            Created to
            <input type="date" value={filters.createdTo} onChange={setFilter("createdTo")} />
          </label>
        </fieldset>
        <button type="submit" disabled={start.isPending || unfinished.length > 0}>
          Export
        </button>
        {start.error && <p role="alert" className="error">{errorMessage(start.error)}</p>}
      </form>
      {exports.error && <p role="alert" className="error">{errorMessage(exports.error)}</p>}
      {cancel.error && <p role="alert" className="error">{errorMessage(cancel.error)}</p>}
      {[...unfinished, ...failed].map((job) => (
        <div key={job.id} className="card job" aria-label={`Export started ${new Date(job.createdAt).toLocaleString()}`}>
          <JobProgress job={job} label="Export progress" />
          {isUnfinished(job) && (
            <button type="button" className="secondary" onClick={() => cancel.mutate({ projectSlug: slug, id: job.id })} disabled={job.cancelRequested}>
              {job.cancelRequested ? "Cancelling…" : "Cancel export"}
            </button>
          )}
        </div>
      ))}
      <h2>Snapshots</h2>
      {exports.data && exports.data.snapshots.length === 0 && <p className="muted">No snapshots yet.</p>}
      {exports.data?.snapshots.map((snapshot) => <SnapshotCard key={snapshot.id} slug={slug} snapshot={snapshot} />)}
    </section>
  );
}

function SnapshotCard({ slug, snapshot }: { slug: string; snapshot: Snapshot }) {
  const summary = (snapshot.summary ?? {}) as SnapshotSummary;
  const fileUrl = (path: string) => `/api/projects/${encodeURIComponent(slug)}/snapshots/${snapshot.id}/files/${path}`;
  const title = `Snapshot of ${new Date(snapshot.createdAt).toLocaleString()}`;
  return (
    <article className="card snapshot" aria-label={title}>
      <h3>{title}</h3>
      <p>
        {snapshot.records.toLocaleString()} examples · {formatBytes(snapshot.bytes)}
        {summary.tokenizer ? ` · tokenizer ${summary.tokenizer}` : ""}
        {summary.added !== undefined ? ` · ${summary.added.toLocaleString()} added, ${(summary.removed ?? 0).toLocaleString()} removed since the previous snapshot` : ""}
        {summary.duplicates?.count ? ` · ${summary.duplicates.count.toLocaleString()} duplicate texts left out` : ""}
      </p>
      {summary.filters && describeFilters(summary.filters) !== "none" && <p>Only examples with {describeFilters(summary.filters)}</p>}
      <p className="muted">On the server: {snapshot.path}</p>
      <ul className="snapshot-files" aria-label="Files">
        {SNAPSHOT_FILES.map((path) => (
          <li key={path}>
            <a href={fileUrl(path)} download>
              {path}
            </a>
          </li>
        ))}
      </ul>
      <div className="table-scroll" role="region" aria-label="Shards" tabIndex={0}>
        <table className="stacked">
          <thead>
            <tr>
              <th scope="col">Shard</th>
              <th scope="col">Records</th>
              <th scope="col">Size</th>
              <th scope="col">SHA-256</th>
            </tr>
          </thead>
          <tbody>
            {(summary.shards ?? []).map((shard) => (
              <tr key={shard.path}>
                <td data-label="Shard">
                  <a href={fileUrl(shard.path)} download>
                    {shard.path}
                  </a>
                </td>
                <td data-label="Records">{shard.records.toLocaleString()}</td>
                <td data-label="Size">{formatBytes(shard.bytes)}</td>
                <td data-label="SHA-256">
                  <code className="checksum">{shard.sha256}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </article>
  );
}
