import { useQuery } from "@tanstack/react-query";
import type { RouterOutputs } from "@prealign/api";
import { Link } from "react-router";
import { isQueueRole, TakeNextButton } from "../components/TakeNextButton.tsx";
import { errorMessage, useTRPC } from "../trpc.ts";
import { ProjectList } from "./ProjectsPage.tsx";

/** One project's work as `work.mine` reports it. */
type ProjectWork = RouterOutputs["work"]["mine"][number];

/** How a queue is named in the list, by the stage it holds. */
const QUEUE_NAMES: Record<string, string> = {
  commentary: "Commentary",
  review: "Review",
  adjudication: "Adjudication",
};

/**
 * The studio's home (`/`): per project, what waits for each of the caller's roles, with a
 * "Take next" per queue, their drafts and the examples returned to them; the projects list
 * below.
 */
export function MyWorkPage() {
  const trpc = useTRPC();
  const work = useQuery(trpc.work.mine.queryOptions());
  const projects = work.data?.filter(hasWork) ?? [];
  return (
    <section>
      <h1>My work</h1>
      {work.error && <p role="alert" className="error">{errorMessage(work.error)}</p>}
      {work.isPending && <p role="status" className="muted">Loading your work…</p>}
      {work.isSuccess && projects.length === 0 && (
        <p className="muted">Nothing waits for you. When an admin gives you a role in a project, its work shows here.</p>
      )}
      {projects.length > 0 && (
        <ul className="work-list">
          {projects.map((entry) => (
            <li key={entry.project.slug}>
              <ProjectWorkCard work={entry} />
            </li>
          ))}
        </ul>
      )}
      <section aria-labelledby="projects-title" className="home-projects">
        <h2 id="projects-title">Projects</h2>
        <ProjectList />
      </section>
    </section>
  );
}

/** Whether a project has anything to show: a queue of one of the caller's roles, drafts or returns. */
function hasWork(entry: ProjectWork): boolean {
  return entry.waiting.length > 0 || entry.myDrafts > 0 || entry.returnedToMe > 0;
}

function ProjectWorkCard({ work }: { work: ProjectWork }) {
  const { project } = work;
  const titleId = `work-${project.slug}`;
  const queues = work.waiting.filter((queue) => isQueueRole(queue.role));
  return (
    <article className="card" aria-labelledby={titleId}>
      <h2 id={titleId} className="work-title">
        {project.name}
      </h2>
      {queues.length > 0 && (
        <table className="work-queues">
          <caption className="visually-hidden">Queues of {project.name}</caption>
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col">Waiting</th>
              <th scope="col"><span className="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {queues.map((queue) => (
              <tr key={queue.role}>
                <th scope="row">
                  {QUEUE_NAMES[queue.stage] ?? queue.stage} <span className="muted">as {queue.role}</span>
                </th>
                <td>{queue.count}</td>
                <td>
                  {isQueueRole(queue.role) && (
                    <TakeNextButton projectSlug={project.slug} role={queue.role} context={`as ${queue.role} in ${project.name}`} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="work-own">
        Your drafts: {work.myDrafts} · Returned to you: {work.returnedToMe}
      </p>
      {/* Named without the project's name (the projects list below links it by name); described by the card's heading. */}
      <Link to={`/projects/${project.slug}`} aria-describedby={titleId}>
        Open the project
      </Link>
    </article>
  );
}
