/**
 * What the examples are doing: how many are in each stage now and at the end of each day of
 * the period, and the work done per day and per person (`quality.activity`).
 */
import type { RouterOutputs } from "@prealign/api";
import { STAGES } from "@prealign/core";
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Cell, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { stageLabel } from "../workflow/vocabulary.ts";
import { GRID, INK, SERIES_COLORS, STAGE_COLORS } from "./colors.ts";
import { Figure, NumbersTable, type Column } from "./Figure.tsx";
import { counted, shortDay } from "./format.ts";

/** What `quality.activity` answers. */
export type Activity = RouterOutputs["quality"]["activity"];

/** The kinds of work, as the charts and tables name them. */
const WORK = [
  { key: "drafts", label: "Drafts submitted" },
  { key: "commentaries", label: "Commentary submitted" },
  { key: "reviews", label: "Reviews" },
  { key: "adjudications", label: "Adjudications" },
] as const;

const CHART_HEIGHT = 260;

/** Examples per stage now, and at the end of each day. */
export function StageFigures({ activity }: { activity: Activity }) {
  const now = STAGES.map((stage) => ({ stage, label: stageLabel(stage), examples: activity.stagesNow[stage] }));
  const total = now.reduce((sum, row) => sum + row.examples, 0);
  const byDay = activity.stagesByDay.map(({ day, stages }) => ({ day, ...stages }));
  const everEmpty = byDay.every((row) => STAGES.every((stage) => row[stage] === 0));
  const dayColumns: Column<(typeof byDay)[number]>[] = [
    { header: "Day (UTC)", cell: (row) => row.day },
    ...STAGES.map((stage): Column<(typeof byDay)[number]> => ({ header: stageLabel(stage), cell: (row) => row[stage], numeric: true })),
  ];
  return (
    <>
      <Figure
        title="Examples per stage now"
        description={`${counted(total, "example")} in the project.`}
        empty={total === 0 ? "Not enough data: the project has no examples yet." : null}
        chart={
          <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
            <BarChart data={now} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
              <CartesianGrid stroke={GRID} vertical={false} />
              <XAxis dataKey="label" stroke={INK} />
              <YAxis allowDecimals={false} stroke={INK} />
              <Tooltip />
              <Bar dataKey="examples" name="Examples" isAnimationActive={false}>
                {now.map((row) => (
                  <Cell key={row.stage} fill={STAGE_COLORS[row.stage]} />
                ))}
              </Bar>
            </BarChart>
          </ResponsiveContainer>
        }
        numbers={
          <NumbersTable
            caption="Examples per stage now"
            rowKey={(row) => row.stage}
            rows={now}
            columns={[
              { header: "Stage", cell: (row) => row.label },
              { header: "Examples", cell: (row) => row.examples, numeric: true },
            ]}
          />
        }
      />
      <Figure
        title="Examples per stage over time"
        description="How many examples were in each stage at the end of each day (UTC), counted back from today through the audit log."
        empty={everEmpty ? "Not enough data: no examples in this period." : null}
        chart={
          <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
            <AreaChart data={byDay} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
              <CartesianGrid stroke={GRID} vertical={false} />
              <XAxis dataKey="day" tickFormatter={shortDay} stroke={INK} minTickGap={24} />
              <YAxis allowDecimals={false} stroke={INK} />
              <Tooltip labelFormatter={(day) => String(day)} />
              <Legend />
              {STAGES.map((stage) => (
                <Area
                  key={stage}
                  type="stepAfter"
                  dataKey={stage}
                  name={stageLabel(stage)}
                  stackId="stages"
                  stroke={STAGE_COLORS[stage]}
                  fill={STAGE_COLORS[stage]}
                  fillOpacity={0.55}
                  isAnimationActive={false}
                />
              ))}
            </AreaChart>
          </ResponsiveContainer>
        }
        numbers={<NumbersTable caption="Examples per stage at the end of each day" rowKey={(row) => row.day} rows={byDay} columns={dayColumns} />}
      />
    </>
  );
}

/** Work done per day and per person. */
export function ThroughputFigures({ activity }: { activity: Activity }) {
  const byDay = activity.throughputByDay;
  const byPerson = activity.throughputByPerson.map((row) => ({ ...row, name: row.person.name }));
  const total = byDay.reduce((sum, row) => sum + row.total, 0);
  const workColumns = WORK.map((kind): Column<{ [key in (typeof WORK)[number]["key"]]: number }> => ({ header: kind.label, cell: (row) => row[kind.key], numeric: true }));
  const bars = WORK.map((kind, n) => (
    <Bar key={kind.key} dataKey={kind.key} name={kind.label} stackId="work" fill={SERIES_COLORS[n]} isAnimationActive={false} />
  ));
  return (
    <>
      <Figure
        title="Throughput per day"
        description={`Work finished each day (UTC): ${counted(total, "item")} in the period.`}
        empty={total === 0 ? "Not enough data: nothing was submitted, reviewed or adjudicated in this period." : null}
        chart={
          <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
            <BarChart data={byDay} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
              <CartesianGrid stroke={GRID} vertical={false} />
              <XAxis dataKey="day" tickFormatter={shortDay} stroke={INK} minTickGap={24} />
              <YAxis allowDecimals={false} stroke={INK} />
              <Tooltip labelFormatter={(day) => String(day)} />
              <Legend />
              {bars}
            </BarChart>
          </ResponsiveContainer>
        }
        numbers={
          <NumbersTable
            caption="Throughput per day"
            rowKey={(row) => row.day}
            rows={byDay}
            columns={[{ header: "Day (UTC)", cell: (row) => row.day }, ...workColumns, { header: "Total", cell: (row) => row.total, numeric: true }]}
          />
        }
      />
      <Figure
        title="Throughput per person"
        description="Work each person finished in the period."
        empty={byPerson.length === 0 ? "Not enough data: nobody finished any work in this period." : null}
        chart={
          <ResponsiveContainer width="100%" height={Math.max(120, 40 + byPerson.length * 32)}>
            <BarChart data={byPerson} layout="vertical" accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 8, left: 16 }}>
              <CartesianGrid stroke={GRID} horizontal={false} />
              <XAxis type="number" allowDecimals={false} stroke={INK} />
              <YAxis type="category" dataKey="name" width={150} stroke={INK} />
              <Tooltip />
              <Legend />
              {bars}
            </BarChart>
          </ResponsiveContainer>
        }
        numbers={
          <NumbersTable
            caption="Throughput per person"
            rowKey={(row) => row.person.id}
            rows={byPerson}
            columns={[{ header: "Person", cell: (row) => row.name }, ...workColumns, { header: "Total", cell: (row) => row.total, numeric: true }]}
          />
        }
      />
    </>
  );
}
