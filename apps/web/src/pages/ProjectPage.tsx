import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ROLES, ROLE_DESCRIPTIONS, STAGES, type Role, type Stage } from "@prealign/core";
import { useState, type FormEvent } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { Markdown } from "../components/Markdown.tsx";
import { ImportPanel } from "../data/ImportPanel.tsx";
import { QUEUE_ROLES, TakeNextButton } from "../components/TakeNextButton.tsx";
import { useSession } from "../session.ts";
import { errorMessage, useTRPC } from "../trpc.ts";

/**
 * A project: its examples (filterable by stage), "Take next" for each queue the caller works
 * in, its guidelines and its members; links to the settings and the audit log for its admins.
 */
export function ProjectPage() {
  const { slug = "" } = useParams();
  const trpc = useTRPC();
  const { user } = useSession();
  const project = useQuery(trpc.projects.get.queryOptions({ projectSlug: slug }));
  if (project.error) return <p role="alert" className="error">{errorMessage(project.error)}</p>;
  if (!project.data) return <p role="status">Loading…</p>;
  const roles = project.data.roles;
  const canManage = Boolean(user?.isAdmin) || roles.includes("admin");
  const queueRoles = QUEUE_ROLES.filter((role) => roles.includes(role));
  return (
    <section className="project">
      <div className="page-title">
        <h1>{project.data.name}</h1>
        {(roles.includes("author") || user?.isAdmin) && <NewExampleButton slug={slug} />}
      </div>
      <p className="muted">Your roles: {roles.length > 0 ? roles.join(", ") : "none (global admin)"}</p>
      <p>
        <Link to={`/projects/${slug}/scenarios`}>Scenarios</Link>
      </p>
      {canManage && (
        <nav aria-label="Project administration" className="project-admin">
          <Link to={`/projects/${slug}/settings`}>Settings</Link>
          <Link to={`/projects/${slug}/audit`}>Audit log</Link>
          <Link to={`/projects/${slug}/exports`}>Exports</Link>
          <Link to={`/projects/${slug}/dashboard`}>Dashboard</Link>
        </nav>
      )}
      {queueRoles.length > 0 && (
        <section aria-labelledby="queues-title" className="card queues">
          <h2 id="queues-title">Queues</h2>
          <ul>
            {queueRoles.map((role) => (
              <li key={role}>
                <span>As {role}</span>
                <TakeNextButton projectSlug={slug} role={role} context={`as ${role}`} />
              </li>
            ))}
          </ul>
        </section>
      )}
      <div className="columns">
        <div>
          <Examples slug={slug} />
          {canManage && <ImportPanel slug={slug} />}
          <Members slug={slug} canManage={canManage} />
        </div>
        <aside aria-labelledby="guidelines-title" className="card guidelines">
          <h2 id="guidelines-title">Guidelines{project.data.guideline ? ` (version ${project.data.guideline.version})` : ""}</h2>
          {project.data.guideline ? <Markdown source={project.data.guideline.markdown} /> : <p className="muted">No guidelines yet.</p>}
          {canManage && <GuidelinesEditor slug={slug} current={project.data.guideline} />}
        </aside>
      </div>
    </section>
  );
}

/**
 * Project admins write a new version of the guidelines; the version they started from is
 * sent along, so two admins editing at once cannot overwrite each other.
 */
function GuidelinesEditor({ slug, current }: { slug: string; current: { version: number; markdown: string } | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<string | null>(null);
  const update = useMutation(
    trpc.guidelines.update.mutationOptions({
      onSuccess: async () => {
        setDraft(null);
        await queryClient.invalidateQueries(trpc.projects.get.queryFilter({ projectSlug: slug }));
      },
    }),
  );
  if (draft === null) {
    return (
      <button type="button" className="secondary" onClick={() => setDraft(current?.markdown ?? "")}>
        Edit guidelines
      </button>
    );
  }
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        update.mutate({ projectSlug: slug, markdown: draft, baseVersion: current?.version ?? null });
      }}
    >
      <label>
        Guidelines (Markdown)
        <textarea rows={16} value={draft} onChange={(e) => setDraft(e.target.value)} />
      </label>
      {update.error && <p role="alert" className="error">{errorMessage(update.error)}</p>}
      <button type="submit" disabled={update.isPending}>Save as new version</button>{" "}
      <button type="button" className="secondary" onClick={() => setDraft(null)}>
        Cancel
      </button>
    </form>
  );
}

/**
 * "New example" creates a draft and opens it; with a scenario chosen beside it (none by
 * default), the draft is written for that scenario, whose prompt its page then shows.
 */
function NewExampleButton({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const scenarios = useQuery(trpc.scenarios.list.queryOptions({ projectSlug: slug }));
  const [scenarioId, setScenarioId] = useState("");
  const open = (example: { id: string }) => navigate(`/examples/${example.id}`);
  const create = useMutation(trpc.examples.create.mutationOptions({ onSuccess: open }));
  const start = useMutation(trpc.scenarios.startExample.mutationOptions({ onSuccess: open }));
  const error = create.error ?? start.error;
  return (
    <div>
      <div className="inline-form">
        {scenarios.data && scenarios.data.length > 0 && (
          <label className="inline-label">
            Scenario
            {/* Named on its own: from the label around it, the name would take in the chosen option too. */}
            <select aria-label="Scenario" value={scenarioId} onChange={(e) => setScenarioId(e.target.value)}>
              <option value="">None</option>
              {scenarios.data.map((scenario) => (
                <option key={scenario.id} value={scenario.id}>
                  {scenario.key}
                </option>
              ))}
            </select>
          </label>
        )}
        <button
          type="button"
          onClick={() => (scenarioId ? start.mutate({ projectSlug: slug, scenarioId }) : create.mutate({ projectSlug: slug }))}
          disabled={create.isPending || start.isPending}
        >
          New example
        </button>
      </div>
      {error && <p role="alert" className="error">{errorMessage(error)}</p>}
    </div>
  );
}

/** The stage filter's value in the address (`?stage=review`), so that a reload or a link keeps it. */
function useStageFilter(): [Stage | undefined, (stage: Stage | undefined) => void] {
  const [params, setParams] = useSearchParams();
  const value = params.get("stage");
  const stage = STAGES.find((s) => s === value);
  function setStage(next: Stage | undefined) {
    setParams(
      (current) => {
        const updated = new URLSearchParams(current);
        if (next) updated.set("stage", next);
        else updated.delete("stage");
        return updated;
      },
      { replace: true },
    );
  }
  return [stage, setStage];
}

function Examples({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const [stage, setStage] = useStageFilter();
  const examples = useInfiniteQuery(
    trpc.examples.list.infiniteQueryOptions(
      { projectSlug: slug, ...(stage ? { stage } : {}) },
      { getNextPageParam: (page) => page.nextCursor },
    ),
  );
  const items = examples.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <section aria-labelledby="examples-title" className="card">
      <div className="section-title">
        <h2 id="examples-title">Examples</h2>
        <label className="inline-label">
          Filter by stage
          <select value={stage ?? ""} onChange={(e) => setStage(STAGES.find((s) => s === e.target.value))}>
            <option value="">All stages</option>
            {STAGES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      {examples.error && <p role="alert" className="error">{errorMessage(examples.error)}</p>}
      {examples.isPending && <p className="muted" role="status">Loading examples…</p>}
      {examples.isSuccess && items.length === 0 && (
        <p className="muted">{stage ? `No examples in ${stage}.` : "No examples yet."}</p>
      )}
      {items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Example</th>
              <th scope="col">Stage</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {items.map((example) => (
              <tr key={example.id}>
                <td>
                  <Link to={`/examples/${example.id}`}>{example.excerpt.trim() || "(empty draft)"}</Link>
                </td>
                <td>
                  <span className={`stage stage-${example.stage}`}>{example.stage}</span>
                </td>
                <td>{new Date(example.updatedAt).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {examples.hasNextPage && (
        <button type="button" className="secondary" onClick={() => void examples.fetchNextPage()} disabled={examples.isFetchingNextPage}>
          Show more examples
        </button>
      )}
    </section>
  );
}

function Members({ slug, canManage }: { slug: string; canManage: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.members.list.queryOptions({ projectSlug: slug }));
  const refresh = () => queryClient.invalidateQueries(trpc.members.list.queryFilter({ projectSlug: slug }));
  // Role changes show at once, while the server confirms them; a refused change is dropped
  // and the list shows what the server holds.
  const [pendingRoles, setPendingRoles] = useState<ReadonlyMap<string, Role[]>>(new Map());
  const setRoles = useMutation(
    trpc.members.setRoles.mutationOptions({
      onSettled: async (_data, _error, { userId }) => {
        await refresh();
        setPendingRoles((pending) => new Map([...pending].filter(([id]) => id !== userId)));
      },
    }),
  );
  const remove = useMutation(trpc.members.remove.mutationOptions({ onSettled: refresh }));

  function toggle(userId: string, current: Role[], role: Role) {
    const roles = current.includes(role) ? current.filter((r) => r !== role) : [...current, role];
    setPendingRoles((pending) => new Map(pending).set(userId, roles));
    setRoles.mutate({ projectSlug: slug, userId, roles });
  }

  return (
    <section aria-labelledby="members-title" className="card">
      <h2 id="members-title">Members</h2>
      {members.error && <p role="alert" className="error">{errorMessage(members.error)}</p>}
      {members.isPending && <p className="muted" role="status">Loading members…</p>}
      {(setRoles.error ?? remove.error) && <p role="alert" className="error">{errorMessage(setRoles.error ?? remove.error)}</p>}
      {/* On a narrow screen the table scrolls sideways in its own region, reachable from the keyboard. */}
      <div className="table-scroll" role="region" aria-label="Members table" tabIndex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col">Member</th>
              {ROLES.map((role) => (
                <th scope="col" key={role} title={ROLE_DESCRIPTIONS[role]}>
                  {role}
                </th>
              ))}
              {canManage && <th scope="col"><span className="visually-hidden">Actions</span></th>}
            </tr>
          </thead>
          <tbody>
            {members.data?.map((member) => (
              <tr key={member.user.id}>
                <th scope="row">{member.user.email}</th>
                {ROLES.map((role) => (
                  <td key={role}>
                    <input
                      type="checkbox"
                      aria-label={`${member.user.email} is ${role}`}
                      checked={(pendingRoles.get(member.user.id) ?? member.roles).includes(role)}
                      disabled={!canManage}
                      onChange={() => toggle(member.user.id, pendingRoles.get(member.user.id) ?? member.roles, role)}
                    />
                  </td>
                ))}
                {canManage && (
                  <td>
                    <button type="button" className="secondary" onClick={() => remove.mutate({ projectSlug: slug, userId: member.user.id })}>
                      Remove {member.user.email}
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {canManage && <AddMemberForm slug={slug} onAdded={refresh} />}
    </section>
  );
}

function AddMemberForm({ slug, onAdded }: { slug: string; onAdded: () => Promise<void> }) {
  const trpc = useTRPC();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("author");
  const add = useMutation(
    trpc.members.add.mutationOptions({
      onSuccess: async () => {
        setEmail("");
        await onAdded();
      },
    }),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    add.mutate({ projectSlug: slug, email, role });
  }
  return (
    <form onSubmit={submit} className="inline-form" aria-label="Add member">
      <label>
        Member email
        <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        Role
        <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={add.isPending}>Add member</button>
      {add.error && <p role="alert" className="error">{errorMessage(add.error)}</p>}
    </form>
  );
}
