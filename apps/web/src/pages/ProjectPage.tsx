import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ROLES, ROLE_DESCRIPTIONS, type Role } from "@prealign/core";
import { useState, type FormEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { Markdown } from "../components/Markdown.tsx";
import { useSession } from "../session.ts";
import { errorMessage, useTRPC } from "../trpc.ts";

/** A project: its examples, its guidelines and its members. */
export function ProjectPage() {
  const { slug = "" } = useParams();
  const trpc = useTRPC();
  const { user } = useSession();
  const project = useQuery(trpc.projects.get.queryOptions({ slug }));
  if (project.error) return <p role="alert" className="error">{errorMessage(project.error)}</p>;
  if (!project.data) return <p role="status">Loading…</p>;
  const roles = project.data.roles;
  const canManage = Boolean(user?.isAdmin) || roles.includes("admin");
  return (
    <section className="project">
      <div className="page-title">
        <h1>{project.data.name}</h1>
        {(roles.includes("author") || user?.isAdmin) && <NewExampleButton slug={slug} />}
      </div>
      <p className="muted">Your roles: {roles.length > 0 ? roles.join(", ") : "none (global admin)"}</p>
      <div className="columns">
        <div>
          <Examples slug={slug} />
          <Members slug={slug} canManage={canManage} />
        </div>
        <aside aria-labelledby="guidelines-title" className="card guidelines">
          <h2 id="guidelines-title">Guidelines{project.data.guideline ? ` (version ${project.data.guideline.version})` : ""}</h2>
          {project.data.guideline ? <Markdown source={project.data.guideline.markdown} /> : <p className="muted">No guidelines yet.</p>}
        </aside>
      </div>
    </section>
  );
}

function NewExampleButton({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const create = useMutation(
    trpc.examples.create.mutationOptions({ onSuccess: (example) => navigate(`/examples/${example.id}`) }),
  );
  return (
    <div>
      <button type="button" onClick={() => create.mutate({ projectSlug: slug })} disabled={create.isPending}>
        New example
      </button>
      {create.error && <p role="alert" className="error">{errorMessage(create.error)}</p>}
    </div>
  );
}

function Examples({ slug }: { slug: string }) {
  const trpc = useTRPC();
  const examples = useQuery(trpc.examples.list.queryOptions({ projectSlug: slug }));
  return (
    <section aria-labelledby="examples-title" className="card">
      <h2 id="examples-title">Examples</h2>
      {examples.error && <p role="alert" className="error">{errorMessage(examples.error)}</p>}
      {examples.data?.length === 0 && <p className="muted">No examples yet.</p>}
      {examples.data && examples.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Example</th>
              <th scope="col">Stage</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {examples.data.map((example) => (
              <tr key={example.id}>
                <td>
                  <Link to={`/examples/${example.id}`}>{example.title}</Link>
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
    </section>
  );
}

function Members({ slug, canManage }: { slug: string; canManage: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.members.list.queryOptions({ projectSlug: slug }));
  const refresh = () => queryClient.invalidateQueries(trpc.members.list.queryFilter({ projectSlug: slug }));
  const setRoles = useMutation(trpc.members.setRoles.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.members.remove.mutationOptions({ onSettled: refresh }));

  function toggle(userId: string, current: Role[], role: Role) {
    const roles = current.includes(role) ? current.filter((r) => r !== role) : [...current, role];
    setRoles.mutate({ projectSlug: slug, userId, roles });
  }

  return (
    <section aria-labelledby="members-title" className="card">
      <h2 id="members-title">Members</h2>
      {members.error && <p role="alert" className="error">{errorMessage(members.error)}</p>}
      {(setRoles.error ?? remove.error) && <p role="alert" className="error">{errorMessage(setRoles.error ?? remove.error)}</p>}
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
            <tr key={member.userId} data-testid={`member-${member.email}`}>
              <th scope="row">{member.email}</th>
              {ROLES.map((role) => (
                <td key={role}>
                  <input
                    type="checkbox"
                    aria-label={`${member.email} is ${role}`}
                    checked={member.roles.includes(role)}
                    disabled={!canManage || setRoles.isPending}
                    onChange={() => toggle(member.userId, member.roles, role)}
                  />
                </td>
              ))}
              {canManage && (
                <td>
                  <button type="button" className="secondary" onClick={() => remove.mutate({ projectSlug: slug, userId: member.userId })}>
                    Remove {member.email}
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
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
