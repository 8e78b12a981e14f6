/**
 * The coverage matrix (`scenarios.coverage`): accepted examples per bad-behaviour category ×
 * interaction type against the summed targets of the scenarios tagged with both, as a heat map
 * of plain grid cells (the share of the target reached sets the colour; each cell also prints
 * its numbers), and as a table under "Show the numbers".
 */
import type { RouterOutputs } from "@prealign/api";
import type { CSSProperties } from "react";
import { tagWords as words } from "../scenarios/tags.ts";
import { Figure, NumbersTable } from "./Figure.tsx";
import { counted, NOT_ENOUGH_DATA, percent } from "./format.ts";

/** What `scenarios.coverage` answers. */
export type Coverage = RouterOutputs["scenarios"]["coverage"];

type Cell = Coverage["cells"][number];

/** The share of a cell's target its accepted examples reach (at most 1); null without a target. */
function reached(cell: Cell): number | null {
  return cell.target > 0 ? Math.min(1, cell.accepted / cell.target) : null;
}

/** The colours of the scale's ends: no accepted example, and the target reached. */
const EMPTY_RGB = [244, 246, 248] as const;
const FULL_RGB = [33, 110, 57] as const;

/**
 * A cell's colours: from the page's canvas grey at 0 % of the target to the studio's green at
 * 100 %, with white text once the green is dark enough to need it. A cell without scenarios is
 * left blank; one whose scenarios set no target gets a dashed outline and no colour.
 */
function cellStyle(cell: Cell): CSSProperties {
  if (cell.scenarios === 0) return {};
  const share = reached(cell);
  if (share === null) return { outline: "1px dashed var(--muted)", outlineOffset: "-1px" };
  const rgb = EMPTY_RGB.map((from, i) => Math.round(from + (FULL_RGB[i]! - from) * share));
  return { background: `rgb(${rgb.join(", ")})`, color: share > 0.5 ? "#ffffff" : "var(--ink)" };
}

const gridStyle = (columns: number): CSSProperties => ({
  display: "grid",
  gridTemplateColumns: `minmax(8rem, auto) repeat(${columns}, minmax(4.5rem, 1fr))`,
  gap: "2px",
  fontSize: "0.8rem",
  overflowX: "auto",
});

const cellBase: CSSProperties = { padding: "0.35rem 0.25rem", textAlign: "center", borderRadius: "3px", fontVariantNumeric: "tabular-nums" };

/** The coverage matrix as a heat map, with its numbers. */
export function CoverageFigures({ coverage }: { coverage: Coverage }) {
  const tagged = coverage.cells.filter((cell) => cell.scenarios > 0);
  const at = (category: string, type: string) => coverage.cells.find((cell) => cell.category === category && cell.interactionType === type)!;
  return (
    <Figure
      title="Coverage of behaviours"
      description={
        <>
          Accepted examples written for the project&rsquo;s scenarios, per bad-behaviour category and interaction type, against the
          sum of those scenarios&rsquo; targets (darker is nearer the target). An example counts in every cell its scenario is tagged
          with. Rests on {counted(coverage.scenarios, "scenario")} and {counted(coverage.acceptedWithScenario, "accepted example")}
          {coverage.acceptedUntagged > 0 ? `, ${coverage.acceptedUntagged} of them of scenarios without a category or interaction type, in no cell` : ""}.
        </>
      }
      empty={tagged.length === 0 ? "Not enough data: no scenario is tagged with both a category and an interaction type yet." : null}
      chart={
        <div style={gridStyle(coverage.interactionTypes.length)}>
          <span />
          {coverage.interactionTypes.map((type) => (
            <span key={type} style={{ ...cellBase, fontWeight: 600 }}>
              {words(type)}
            </span>
          ))}
          {coverage.categories.map((category) => (
            <Row key={category} category={category} cells={coverage.interactionTypes.map((type) => at(category, type))} />
          ))}
        </div>
      }
      numbers={
        <NumbersTable
          caption="Accepted examples against targets, per category and interaction type (cells with scenarios)"
          rowKey={(cell) => `${cell.category}/${cell.interactionType}`}
          rows={tagged}
          columns={[
            { header: "Category", cell: (cell) => words(cell.category) },
            { header: "Interaction type", cell: (cell) => words(cell.interactionType) },
            { header: "Scenarios", cell: (cell) => cell.scenarios, numeric: true },
            { header: "Accepted", cell: (cell) => cell.accepted, numeric: true },
            { header: "Target", cell: (cell) => (cell.target > 0 ? cell.target : "none"), numeric: true },
            { header: "Reached", cell: (cell) => (cell.target > 0 ? percent(cell.accepted / cell.target) : NOT_ENOUGH_DATA), numeric: true },
          ]}
        />
      }
    />
  );
}

/** One category's row of the heat map. */
function Row({ category, cells }: { category: string; cells: Cell[] }) {
  return (
    <>
      <span style={{ ...cellBase, textAlign: "left", fontWeight: 600 }}>{words(category)}</span>
      {cells.map((cell) => (
        <span key={cell.interactionType} style={{ ...cellBase, ...cellStyle(cell) }}>
          {cell.scenarios === 0 ? "" : cell.target > 0 ? `${cell.accepted} / ${cell.target}` : String(cell.accepted)}
        </span>
      ))}
    </>
  );
}
