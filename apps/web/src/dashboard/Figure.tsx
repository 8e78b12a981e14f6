import { useId, type ReactNode } from "react";

/** One column of a numbers table: its header and how a row fills its cell. */
export interface Column<Row> {
  header: string;
  cell: (row: Row) => ReactNode;
  /** Numbers are right-aligned, so that digits line up. */
  numeric?: boolean;
}

/** The numbers behind a chart, for people who read rather than look. */
export function NumbersTable<Row>({ caption, columns, rows, rowKey }: { caption: string; columns: Column<Row>[]; rows: readonly Row[]; rowKey: (row: Row) => string }) {
  return (
    // Focusable, so that a keyboard can scroll a table wider than the screen.
    <div className="table-scroll" role="region" aria-label={caption} tabIndex={0}>
      <table className="numbers">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col" className={column.numeric ? "numeric" : undefined}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((column, n) =>
                n === 0 ? (
                  <th key={column.header} scope="row">
                    {column.cell(row)}
                  </th>
                ) : (
                  <td key={column.header} className={column.numeric ? "numeric" : undefined}>
                    {column.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface FigureProps {
  /** The chart's title, which names the figure for assistive technology too. */
  title: string;
  /** One or two sentences saying what the chart shows and what it rests on. */
  description: ReactNode;
  /** Why there is no chart ("not enough data: …"), or null to draw it. */
  empty: string | null;
  /** The chart. */
  chart: ReactNode;
  /** Its numbers, shown under "Show the numbers" (also when there is no chart). */
  numbers: ReactNode;
}

/**
 * A chart with its title and description, and its numbers as a table under "Show the numbers".
 * Where the data cannot carry a chart, the figure says so instead of drawing one that suggests
 * a certainty the data does not have.
 */
export function Figure({ title, description, empty, chart, numbers }: FigureProps) {
  const titleId = useId();
  return (
    <figure className="card chart-figure" aria-labelledby={titleId}>
      <figcaption>
        <h3 id={titleId}>{title}</h3>
        <p className="muted">{description}</p>
      </figcaption>
      {empty === null ? (
        <div className="chart" role="img" aria-label={`${title}: chart; the numbers follow under "Show the numbers".`}>
          {chart}
        </div>
      ) : (
        <p className="not-enough-data">{empty}</p>
      )}
      <details className="numbers-details">
        <summary>Show the numbers</summary>
        {numbers}
      </details>
    </figure>
  );
}
