import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { inferInput } from "@trpc/tanstack-react-query";
import { useState, type FormEvent } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { errorMessage, useTRPC } from "../trpc.ts";

/** An action the audit log records, as `audit.list` takes it. */
type AuditAction = NonNullable<inferInput<ReturnType<typeof useTRPC>["audit"]["list"]>["action"]>;

/** How each action is named on the page, in the order the filter offers them. */
const ACTION_LABELS: Record<AuditAction, string> = {
  "example.stage": "Stage change",
  "example.import": "Examples imported",
  "project.create": "Project created",
  "project.settings": "Settings changed",
  "project.model": "Model connection changed",
  "member.add": "Member added",
  "member.roles": "Member roles changed",
  "member.remove": "Member removed",
  "guideline.update": "Guidelines updated",
  "user.create": "User created",
};

/** The actions a project's log can hold (accounts are created outside any project). */
const PROJECT_ACTIONS = (Object.keys(ACTION_LABELS) as AuditAction[]).filter((action) => action !== "user.create");

/** An action's name on the page; one this version of the page does not know is shown as recorded. */
function actionLabel(action: string): string {
  const known = (Object.keys(ACTION_LABELS) as AuditAction[]).find((a) => a === action);
  return known ? ACTION_LABELS[known] : action;
}

/**
 * What an entry changed from and to, as shown. A settings change records all the settings
 * before and after (as JSON); only the ones that changed are shown.
 */
function fromTo(entry: { action: string; from: string | null; to: string | null }): { from: string | null; to: string | null } {
  if (entry.action !== "project.settings" || entry.from === null || entry.to === null) return entry;
  try {
    const before = JSON.parse(entry.from) as Record<string, unknown>;
    const after = JSON.parse(entry.to) as Record<string, unknown>;
    const keys = Object.keys(after).filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]));
    if (keys.length === 0) return entry;
    const show = (values: Record<string, unknown>) => keys.map((key) => `${key}: ${JSON.stringify(values[key])}`).join(", ");
    return { from: show(before), to: show(after) };
  } catch {
    return entry;
  }
}

/** The action named in the address, if it is one. */
function asAuditAction(value: string | null): AuditAction | undefined {
  return PROJECT_ACTIONS.find((action) => action === value);
}

/** How many entries one page of the log holds. */
const PAGE_SIZE = 50;

/**
 * A project's audit log (`/projects/:slug/audit`, project admins): who changed what, when,
 * from what to what and why, newest first; filtered by example and by action, the filters
 * kept in the address.
 */
export function AuditPage() {
  const { slug = "" } = useParams();
  const trpc = useTRPC();
  const project = useQuery(trpc.projects.get.queryOptions({ projectSlug: slug }));
  const [params, setParams] = useSearchParams();
  const exampleId = params.get("example") ?? "";
  const action = asAuditAction(params.get("action"));

  function applyFilters(next: { exampleId: string; action: AuditAction | undefined }) {
    const updated = new URLSearchParams();
    if (next.exampleId) updated.set("example", next.exampleId);
    if (next.action) updated.set("action", next.action);
    setParams(updated);
  }

  return (
    <section className="audit">
      <p className="breadcrumb">
        <Link to={`/projects/${slug}`}>{project.data?.name ?? slug}</Link>
      </p>
      <h1>Audit log</h1>
      <AuditFilters key={`${exampleId}|${action ?? ""}`} exampleId={exampleId} action={action} onApply={applyFilters} />
      <AuditEntries slug={slug} exampleId={exampleId} action={action} />
    </section>
  );
}

interface AuditFiltersProps {
  exampleId: string;
  action: AuditAction | undefined;
  onApply: (filters: { exampleId: string; action: AuditAction | undefined }) => void;
}

function AuditFilters({ exampleId, action, onApply }: AuditFiltersProps) {
  const [example, setExample] = useState(exampleId);
  const [chosen, setChosen] = useState(action);
  function submit(event: FormEvent) {
    event.preventDefault();
    onApply({ exampleId: example.trim(), action: chosen });
  }
  return (
    <form onSubmit={submit} className="card inline-form" aria-label="Filter the audit log">
      <label>
        Example id
        <input value={example} onChange={(e) => setExample(e.target.value)} spellCheck={false} autoComplete="off" />
      </label>
      <label>
        Action
        <select value={chosen ?? ""} onChange={(e) => setChosen(asAuditAction(e.target.value))}>
          <option value="">All actions</option>
          {PROJECT_ACTIONS.map((value) => (
            <option key={value} value={value}>
              {ACTION_LABELS[value]}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Apply filters</button>
      {(exampleId || action) && (
        <button type="button" className="secondary" onClick={() => onApply({ exampleId: "", action: undefined })}>
          Clear filters
        </button>
      )}
    </form>
  );
}

function AuditEntries({ slug, exampleId, action }: { slug: string; exampleId: string; action: AuditAction | undefined }) {
  const trpc = useTRPC();
  const entries = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { projectSlug: slug, limit: PAGE_SIZE, ...(exampleId ? { exampleId } : {}), ...(action ? { action } : {}) },
      { getNextPageParam: (page) => page.nextCursor },
    ),
  );
  const items = entries.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section aria-labelledby="entries-title" className="card">
      <h2 id="entries-title">Entries</h2>
      {entries.error && <p role="alert" className="error">{errorMessage(entries.error)}</p>}
      {entries.isPending && <p role="status" className="muted">Loading the audit log…</p>}
      {entries.isSuccess && items.length === 0 && (
        <p className="muted">{exampleId || action ? "No entries match these filters." : "Nothing has been recorded yet."}</p>
      )}
      {items.length > 0 && (
        <table className="stacked">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Example</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {items.map((entry) => {
              const change = fromTo(entry);
              return (
                <tr key={entry.id}>
                  <td data-label="When">
                    <time dateTime={new Date(entry.createdAt).toISOString()}>{new Date(entry.createdAt).toLocaleString()}</time>
                  </td>
                  <td data-label="Who">{entry.actor ? entry.actor.name : "the studio"}</td>
                  <td data-label="Action">{actionLabel(entry.action)}</td>
                  <td data-label="Example">
                    {entry.exampleId ? <Link to={`/examples/${entry.exampleId}`}>{entry.exampleId}</Link> : <span className="muted">—</span>}
                  </td>
                  <td data-label="From">{change.from ?? <span className="muted">—</span>}</td>
                  <td data-label="To">{change.to ?? <span className="muted">—</span>}</td>
                  <td data-label="Reason">{entry.reason ?? <span className="muted">—</span>}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {entries.hasNextPage && (
        <button type="button" className="secondary" onClick={() => void entries.fetchNextPage()} disabled={entries.isFetchingNextPage}>
          Show more entries
        </button>
      )}
    </section>
  );
}
