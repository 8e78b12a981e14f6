/**
 * A project's dashboard (`/projects/:slug/dashboard`, for its admins and adjudicators): what the
 * examples are doing, how far reviewers agree, how often they miss real defects, and how well the
 * accepted examples cover the scenario library's behaviours (now, whatever the period) — the figures
 * of SPEC §4 over a period the reader picks, kept in the address (`?days=`). Every chart has its
 * numbers under "Show the numbers", and says "not enough data" where the data cannot carry one.
 *
 * Charts are drawn with Recharts (React components rendering SVG; see the README). The page is
 * loaded as a chunk of its own (`React.lazy` in App.tsx), so that the editor never loads them.
 */
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { AccuracyFigures } from "../dashboard/AccuracyFigures.tsx";
import { StageFigures, ThroughputFigures } from "../dashboard/ActivityFigures.tsx";
import { AgreementFigures } from "../dashboard/AgreementFigures.tsx";
import { CoverageFigures } from "../dashboard/CoverageFigures.tsx";
import "../dashboard/dashboard.css";
import { errorMessage, useTRPC } from "../trpc.ts";

/** The periods offered, in days; the first-listed default is the API's. */
const PERIODS = [
  { days: 7, label: "Last 7 days" },
  { days: 30, label: "Last 30 days" },
  { days: 90, label: "Last 90 days" },
  { days: 365, label: "Last 365 days" },
] as const;

const DEFAULT_DAYS = 90;

/** The period named in the address, if it is one of {@link PERIODS}. */
function periodOf(value: string | null): number {
  return PERIODS.find((period) => String(period.days) === value)?.days ?? DEFAULT_DAYS;
}

/** The dashboard page. */
export function DashboardPage() {
  const { slug = "" } = useParams();
  const trpc = useTRPC();
  const [params, setParams] = useSearchParams();
  const days = periodOf(params.get("days"));
  const input = { projectSlug: slug, days };
  const project = useQuery(trpc.projects.get.queryOptions({ projectSlug: slug }));
  const activity = useQuery(trpc.quality.activity.queryOptions(input));
  const agreement = useQuery(trpc.quality.agreement.queryOptions(input));
  const accuracy = useQuery(trpc.quality.accuracy.queryOptions(input));
  const coverage = useQuery(trpc.scenarios.coverage.queryOptions({ projectSlug: slug }));
  const period = activity.data?.period ?? agreement.data?.period ?? accuracy.data?.period;
  return (
    <section className="dashboard">
      <p className="breadcrumb">
        <Link to={`/projects/${slug}`}>{project.data?.name ?? slug}</Link>
      </p>
      <h1>Dashboard</h1>
      <div className="period">
        <label>
          Period
          <select
            value={days}
            onChange={(event) => {
              const next = new URLSearchParams(params);
              next.set("days", event.target.value);
              setParams(next, { replace: true });
            }}
          >
            {PERIODS.map((option) => (
              <option key={option.days} value={option.days}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        {period && (
          <p className="muted">
            From {period.from} to {period.to} (UTC days, today included).
          </p>
        )}
      </div>
      <Part title="Examples" id="examples-title" query={activity}>
        {(data) => (
          <>
            <StageFigures activity={data} />
            <ThroughputFigures activity={data} />
          </>
        )}
      </Part>
      <Part title="Agreement" id="agreement-title" query={agreement}>
        {(data) => <AgreementFigures agreement={data} />}
      </Part>
      <Part title="Reviewer accuracy" id="accuracy-title" query={accuracy}>
        {(data) => <AccuracyFigures accuracy={data} />}
      </Part>
      <Part title="Coverage" id="coverage-title" query={coverage}>
        {(data) => <CoverageFigures coverage={data} />}
      </Part>
    </section>
  );
}

/** One part of the dashboard: its heading, then its figures once its query has answered. */
function Part<T>({ title, id, query, children }: { title: string; id: string; query: { data: T | undefined; error: unknown; isPending: boolean }; children: (data: T) => ReactNode }) {
  return (
    <section className="dashboard-part" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {query.error ? <p role="alert" className="error">{errorMessage(query.error)}</p> : null}
      {query.isPending && !query.error && <p role="status" className="muted">Loading {title.toLowerCase()}…</p>}
      {query.data !== undefined && <div className="figures">{children(query.data)}</div>}
    </section>
  );
}
