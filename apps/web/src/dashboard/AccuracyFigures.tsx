/**
 * Reviewer accuracy and the surviving-defect estimate (`quality.accuracy`, SPEC §4): miss rates
 * per reviewer and per category as bars with their 95 % intervals, and the share of defects that
 * get through k reviewers under both decision rules, estimated both ways, against k.
 */
import type { RouterOutputs } from "@prealign/api";
import { Bar, BarChart, CartesianGrid, ErrorBar, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { words } from "../workflow/vocabulary.ts";
import { GRID, INK, SERIES_COLORS } from "./colors.ts";
import { Figure, NumbersTable, type Column } from "./Figure.tsx";
import { counted, interval, percent } from "./format.ts";

/** What `quality.accuracy` answers. */
export type Accuracy = RouterOutputs["quality"]["accuracy"];

type Rate = Accuracy["pooled"];

/** A miss rate as a bar: its rate and the distances to its interval's ends (for the error bar). */
function bar(rate: Rate) {
  return { rate: rate.rate ?? 0, error: rate.rate === null || rate.interval === null ? [0, 0] : [rate.rate - rate.interval.low, rate.interval.high - rate.rate] };
}

function rateColumns<Row extends Rate>(): Column<Row>[] {
  return [
    { header: "Missed", cell: (row) => row.missed, numeric: true },
    { header: "Defects", cell: (row) => row.defects, numeric: true },
    { header: "Miss rate", cell: (row) => percent(row.rate), numeric: true },
    { header: "95 % interval", cell: (row) => interval(row.interval), numeric: true },
  ];
}

/** Horizontal bars of miss rates with their intervals, one per named row. */
function MissRateChart({ rows }: { rows: { name: string; rate: number; error: number[] }[] }) {
  return (
    <ResponsiveContainer width="100%" height={Math.max(120, 50 + rows.length * 34)}>
      <BarChart data={rows} layout="vertical" accessibilityLayer={false} margin={{ top: 8, right: 24, bottom: 8, left: 16 }}>
        <CartesianGrid stroke={GRID} horizontal={false} />
        <XAxis type="number" domain={[0, 1]} tickFormatter={(value: number) => `${Math.round(value * 100)} %`} stroke={INK} />
        <YAxis type="category" dataKey="name" width={170} stroke={INK} />
        <Tooltip formatter={(value) => percent(typeof value === "number" ? value : null)} />
        <Bar dataKey="rate" name="Miss rate" fill={SERIES_COLORS[1]} isAnimationActive={false}>
          <ErrorBar dataKey="error" direction="x" width={6} stroke={INK} />
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
}

/** Miss rates per reviewer and per category, and the surviving-defect estimates. */
export function AccuracyFigures({ accuracy }: { accuracy: Accuracy }) {
  const { byReviewer, byCategory, pooled, survival } = accuracy;
  const restsOn = `${counted(accuracy.defects, "defect")} on ${counted(accuracy.revisions, "adjudicated example")}`;
  const none = accuracy.defects === 0 ? "Not enough data: no defect was upheld at adjudication in this period." : null;
  const reviewers = byReviewer.map((row) => ({ ...row, name: row.reviewer.kind === "grader" ? `${row.reviewer.name} (model)` : row.reviewer.name }));
  const categories = byCategory.map((row) => ({ ...row, name: words(row.category) }));
  const survivalByK = [...new Set(survival.map((row) => row.k))].map((k) => {
    const of = (rule: "any" | "majority") => survival.find((row) => row.k === k && row.rule === rule)!;
    return { k, anyIndependent: of("any").independent, anyObserved: of("any").observed, majorityIndependent: of("majority").independent, majorityObserved: of("majority").observed };
  });
  const lines = [
    { key: "anyIndependent", label: "Any flag, independent", dashed: true },
    { key: "anyObserved", label: "Any flag, observed", dashed: false },
    { key: "majorityIndependent", label: "Majority, independent", dashed: true },
    { key: "majorityObserved", label: "Majority, observed", dashed: false },
  ] as const;
  return (
    <>
      <Figure
        title="Miss rate per reviewer"
        description={`The share of defects (flags upheld at adjudication as blocker or major) each reviewer missed, with its 95 % interval; model graders count as reviewers. Rests on ${restsOn}; all reviewers together: ${percent(pooled.rate)}.`}
        empty={none}
        chart={<MissRateChart rows={reviewers.map((row) => ({ name: row.name, ...bar(row) }))} />}
        numbers={
          <NumbersTable
            caption="Miss rate per reviewer"
            rowKey={(row) => row.reviewer.key}
            rows={reviewers}
            columns={[{ header: "Reviewer", cell: (row) => row.name }, ...rateColumns<(typeof reviewers)[number]>()]}
          />
        }
      />
      <Figure
        title="Miss rate per category"
        description={`The share of each category's defects that reviewers missed, over every reviewer of each defect. Rests on ${restsOn}.`}
        empty={none}
        chart={<MissRateChart rows={categories.filter((row) => row.rate !== null).map((row) => ({ name: row.name, ...bar(row) }))} />}
        numbers={
          <NumbersTable
            caption="Miss rate per category"
            rowKey={(row) => row.category}
            rows={categories}
            columns={[{ header: "Category", cell: (row) => row.name }, ...rateColumns<(typeof categories)[number]>()]}
          />
        }
      />
      <Figure
        title="Defects that get through k reviewers"
        description={
          <>
            The share of defects that survive a policy of k reviewers: under <em>any flag</em> only when all k miss it (the studio&rsquo;s
            rule), under <em>majority</em> when more than half do. <em>Independent</em> assumes reviewers miss independently at the pooled
            rate; <em>observed</em> averages over the defects that k reviewers really shared, so correlated misses show there.
          </>
        }
        empty={none}
        chart={
          <ResponsiveContainer width="100%" height={280}>
            <LineChart data={survivalByK} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
              <CartesianGrid stroke={GRID} vertical={false} />
              <XAxis dataKey="k" stroke={INK} label={{ value: "k reviewers", position: "insideBottomRight", offset: -4, fill: INK }} />
              <YAxis domain={[0, "auto"]} tickFormatter={(value: number) => `${Math.round(value * 100)} %`} stroke={INK} />
              <Tooltip labelFormatter={(k) => `k = ${String(k)}`} formatter={(value) => percent(typeof value === "number" ? value : null)} />
              <Legend />
              {lines.map((line, n) => (
                <Line
                  key={line.key}
                  dataKey={line.key}
                  name={line.label}
                  stroke={SERIES_COLORS[n >> 1 === 0 ? 0 : 3]}
                  strokeDasharray={line.dashed ? "6 4" : undefined}
                  strokeWidth={2}
                  connectNulls={false}
                  isAnimationActive={false}
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
        }
        numbers={
          <NumbersTable
            caption="Defects that get through k reviewers"
            rowKey={(row) => `${row.k} ${row.rule}`}
            rows={survival}
            columns={[
              { header: "k", cell: (row) => row.k },
              { header: "Rule", cell: (row) => (row.rule === "any" ? "any flag" : "majority") },
              { header: "Independent", cell: (row) => percent(row.independent), numeric: true },
              { header: "Defects (independent)", cell: (row) => row.independentDefects, numeric: true },
              { header: "Observed", cell: (row) => percent(row.observed), numeric: true },
              { header: "Defects (observed)", cell: (row) => row.observedDefects, numeric: true },
            ]}
          />
        }
      />
    </>
  );
}
