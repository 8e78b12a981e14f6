/**
 * Parquet shards, written by DuckDB from the finished JSONL shards: DuckDB reads each JSONL
 * file a line at a time and casts each line, as JSON, to the record's type spelt out (never
 * inferred, so every shard has the same schema, empty lists included), then copies the records
 * to Parquet. One thread and insertion order preserved make the rows come out in the JSONL's
 * order and the file byte-identical every time the same records are written with the same
 * DuckDB version.
 *
 * Memory: the lines are read by DuckDB's CSV reader, as one column with a delimiter no JSON line
 * holds, through buffers sized from the shard's longest line (records are at most a few MB: a
 * document holds at most 100,000 characters). DuckDB's JSON reader (`read_json`) gives the same
 * records but reads through buffers of at least 16 MB, whatever `maximum_object_size` says (it
 * can only be raised): converting a shard of 100,000 tokenised records took 188 MB on top of the
 * process that way and 101 MB this way; the Parquet pass of a million-example export peaked at
 * 372-391 MB that way and 294-310 MB this way, below its JSONL pass (two runs of each,
 * alternated). DuckDB holds a row group in memory while it writes it, so row groups are sized
 * from the shard's average record (about {@link ROW_GROUP_BYTES} each; the JSON reader, handing
 * over 2,048 rows at a time, made them half as large again), and the export converts its shards
 * only after its worker threads are done.
 */
import type { ShardFile } from "./shards.ts";

/** DuckDB's memory limit: room for a row group of {@link ROW_GROUP_BYTES} and the reader's buffers (64 MB sufficed for 100,000 tokenised records). */
const MEMORY_LIMIT = "128MB";

/** The JSONL bytes of one row group, about. */
const ROW_GROUP_BYTES = 8 * 1024 * 1024;

/** Row groups hold at least this many rows and at most this many. */
const ROW_GROUP_ROWS = { min: 100, max: 10_000 };

/** The CSV reader's smallest buffer (bytes). */
const MIN_READ_BUFFER = 1024 * 1024;

/**
 * The shard's longest lines a read buffer holds: DuckDB asks for four. With two, a line of 0.25 to
 * 0.5 of a buffer that crossed from one buffer into the next made the read fail, or lose a line
 * without an error.
 */
const LINES_PER_BUFFER = 4;

/**
 * The delimiter the lines are read with, so that each line is one column: the control character
 * U+0001, which JSON writes only escaped (`\u0001`), so that no JSONL line holds it.
 */
const NO_DELIMITER = "\u0001";

/** A string literal in DuckDB SQL. */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** The JSONL shard to convert. */
export type JsonlShard = Pick<ShardFile, "file" | "records" | "bytes" | "longestLine">;

/**
 * Writes the records of the JSONL shard `shard` to the Parquet file `parquet`, each line cast to
 * `recordType` (see `duckdbRecordType`). Each shard gets a DuckDB of its own, closed afterwards,
 * so that what one conversion allocated is given back before the next: DuckDB keeps its memory
 * for reuse while it is open. It may spill into `scratchDir` (removed with the export's
 * temporary folder).
 */
export async function convertToParquet(scratchDir: string, shard: JsonlShard, parquet: string, recordType: string): Promise<void> {
  // Loaded only when Parquet is asked for: the library is large.
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const instance = await DuckDBInstance.create(":memory:", {
    threads: "1",
    preserve_insertion_order: "true",
    memory_limit: MEMORY_LIMIT,
    temp_directory: scratchDir,
    // The JSON and Parquet extensions are built in; nothing may be fetched from the network.
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  });
  const connection = await instance.connect();
  try {
    const perRecord = shard.bytes / Math.max(1, shard.records);
    const rowGroup = Math.max(ROW_GROUP_ROWS.min, Math.min(ROW_GROUP_ROWS.max, Math.floor(ROW_GROUP_BYTES / perRecord)));
    const lineBytes = shard.longestLine + 1;
    const lines =
      `read_csv(${literal(shard.file)}, columns = {'line': 'VARCHAR'}, header = false, auto_detect = false, ` +
      `delim = ${literal(NO_DELIMITER)}, quote = '', escape = '', new_line = '\\n', ` +
      `max_line_size = ${lineBytes}, buffer_size = ${Math.max(MIN_READ_BUFFER, LINES_PER_BUFFER * lineBytes)})`;
    const copied = await connection.run(
      `COPY (SELECT record.* FROM (SELECT CAST(CAST(line AS JSON) AS ${recordType}) AS record FROM ${lines})) ` +
        `TO ${literal(parquet)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${rowGroup})`,
    );
    // The line reader can leave out a line that does not fit its buffers without an error; a shard must never lose one.
    if (copied.rowsChanged !== shard.records) {
      throw new Error(`DuckDB wrote ${copied.rowsChanged} of the ${shard.records} records of ${shard.file} to Parquet.`);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
