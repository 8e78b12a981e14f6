/**
 * How far reviewers agree on verdicts (`quality.agreement`): Krippendorff's alpha per week as a
 * line with gaps where a week has too little to say, alpha over the period, and Cohen's kappa
 * per pair of reviewers.
 */
import type { RouterOutputs } from "@prealign/api";
import { CartesianGrid, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { GRID, INK, SERIES_COLORS } from "./colors.ts";
import { Figure, NumbersTable } from "./Figure.tsx";
import { coefficient, counted, NOT_ENOUGH_DATA, percent, shortDay } from "./format.ts";

/** What `quality.agreement` answers. */
export type Agreement = RouterOutputs["quality"]["agreement"];

/** Alpha per week, alpha over the period, and kappa per pair. */
export function AgreementFigures({ agreement }: { agreement: Agreement }) {
  const { overall, byWeek, pairs } = agreement;
  const weeks = byWeek.filter((week) => week.alpha !== null);
  const lowest = Math.min(0, ...weeks.map((week) => week.alpha!));
  return (
    <>
      <Figure
        title="Agreement over time"
        description={
          <>
            Krippendorff&rsquo;s alpha on verdicts per week (1 is full agreement, 0 what chance gives), each week over the examples
            whose last review fell in it. Over the period: <strong>{coefficient(overall.alpha)}</strong>
            {overall.units > 0 ? ` (${counted(overall.units, "example")}, ${counted(overall.verdicts, "verdict")})` : ""}.
          </>
        }
        empty={weeks.length === 0 ? "Not enough data: no week has two verdicts on one example that can disagree." : null}
        chart={
          <ResponsiveContainer width="100%" height={260}>
            <LineChart data={byWeek} accessibilityLayer={false} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
              <CartesianGrid stroke={GRID} vertical={false} />
              <XAxis dataKey="week" tickFormatter={shortDay} stroke={INK} minTickGap={24} />
              <YAxis domain={[lowest, 1]} stroke={INK} tickFormatter={(value: number) => value.toFixed(1)} />
              <ReferenceLine y={0} stroke={INK} strokeDasharray="4 4" />
              <Tooltip labelFormatter={(week) => `Week of ${String(week)}`} formatter={(value) => coefficient(typeof value === "number" ? value : null)} />
              <Line dataKey="alpha" name="Alpha" stroke={SERIES_COLORS[0]} strokeWidth={2} connectNulls={false} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        }
        numbers={
          <NumbersTable
            caption="Agreement per week"
            rowKey={(row) => row.week}
            rows={byWeek}
            columns={[
              { header: "Week of (UTC)", cell: (row) => row.week },
              { header: "Examples", cell: (row) => row.units, numeric: true },
              { header: "Verdicts", cell: (row) => row.verdicts, numeric: true },
              { header: "Alpha", cell: (row) => coefficient(row.alpha), numeric: true },
            ]}
          />
        }
      />
      <section className="card" aria-labelledby="pairs-title">
        <h3 id="pairs-title">Agreement between pairs of reviewers</h3>
        <p className="muted">Cohen&rsquo;s kappa over the examples both reviewed in the period.</p>
        {pairs.length === 0 ? (
          <p className="not-enough-data">{`Not enough data: no two reviewers gave verdicts on the same example in this period.`}</p>
        ) : (
          <NumbersTable
            caption="Cohen's kappa per pair of reviewers"
            rowKey={(row) => `${row.first.id} ${row.second.id}`}
            rows={pairs}
            columns={[
              { header: "Reviewers", cell: (row) => `${row.first.name} and ${row.second.name}` },
              { header: "Examples both reviewed", cell: (row) => row.units, numeric: true },
              { header: "Same verdict", cell: (row) => percent(row.observedAgreement), numeric: true },
              { header: "Kappa", cell: (row) => (row.kappa === null ? NOT_ENOUGH_DATA : coefficient(row.kappa)), numeric: true },
            ]}
          />
        )}
      </section>
    </>
  );
}
