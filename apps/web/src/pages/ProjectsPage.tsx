import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { useSession } from "../session.ts";
import { errorMessage, useTRPC } from "../trpc.ts";

/** The projects page (`/projects`): the projects the signed-in person belongs to. */
export function ProjectsPage() {
  return (
    <section>
      <h1>Projects</h1>
      <ProjectList />
    </section>
  );
}

/**
 * The projects the signed-in person belongs to; global admins see all and create new ones.
 * Shown on its own page and below the home page's work.
 */
export function ProjectList() {
  const trpc = useTRPC();
  const { user } = useSession();
  const projects = useQuery(trpc.projects.list.queryOptions());
  return (
    <>
      {projects.error && <p role="alert" className="error">{errorMessage(projects.error)}</p>}
      {projects.isPending && <p role="status" className="muted">Loading projects…</p>}
      {projects.data?.length === 0 && <p className="muted">You are not a member of any project yet. Ask an admin to add you.</p>}
      <ul className="project-list">
        {projects.data?.map((project) => (
          <li key={project.slug} className="card">
            <Link to={`/projects/${project.slug}`}>
              <strong>{project.name}</strong>
            </Link>
            <span className="muted"> {project.slug}</span>
          </li>
        ))}
      </ul>
      {user?.isAdmin && <CreateProjectForm />}
    </>
  );
}

function CreateProjectForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [slug, setSlug] = useState("");
  const [name, setName] = useState("");
  const create = useMutation(
    trpc.projects.create.mutationOptions({
      onSuccess: async () => {
        setSlug("");
        setName("");
        await queryClient.invalidateQueries(trpc.projects.list.queryFilter());
      },
    }),
  );
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate({ slug, name });
  }
  return (
    <form onSubmit={submit} className="card inline-form" aria-labelledby="new-project">
      <h2 id="new-project">New project</h2>
      <label>
        Name
        <input required value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Slug
        <input required pattern="[a-z0-9][a-z0-9-]*" title="lower-case letters, digits and dashes" value={slug} onChange={(e) => setSlug(e.target.value)} />
      </label>
      <button type="submit" disabled={create.isPending}>Create project</button>
      {create.error && <p role="alert" className="error">{errorMessage(create.error)}</p>}
    </form>
  );
}
