/**
 * Parquet shards, written by DuckDB from the finished JSONL shards: DuckDB reads each JSONL
 * file with the record's column types spelt out (never inferred, so every shard has the same
 * schema, empty lists included) and copies it to Parquet. One thread and insertion order
 * preserved make the rows come out in the JSONL's order and the file byte-identical every time
 * the same records are written with the same DuckDB version.
 *
 * Memory: DuckDB holds a row group in memory while it writes it, so row groups are sized from
 * the shard's average record (about {@link ROW_GROUP_BYTES} each) and DuckDB is kept to
 * {@link MEMORY_LIMIT}; the export converts its shards only after its worker threads are done.
 * (DuckDB still needs some 150 MB for a shard of 100,000 tokenised records.)
 */

/** DuckDB's memory limit: enough for a row group of {@link ROW_GROUP_BYTES} and the JSON reader's buffers. */
const MEMORY_LIMIT = "128MB";

/** The JSONL bytes of one row group, about. */
const ROW_GROUP_BYTES = 8 * 1024 * 1024;

/** Row groups hold at least this many rows and at most this many. */
const ROW_GROUP_ROWS = { min: 100, max: 10_000 };

/** A string literal in DuckDB SQL. */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * Writes the records of the JSONL shard `shard.file` (`shard.records` records in `shard.bytes`
 * bytes) to the Parquet file `parquet`, reading them with `columns` (see `duckdbColumns`). Each
 * shard gets a DuckDB of its own, closed afterwards, so that what one conversion allocated is
 * given back before the next: DuckDB keeps its memory for reuse while it is open. It may spill
 * into `scratchDir` (removed with the export's temporary folder).
 */
export async function convertToParquet(scratchDir: string, shard: { file: string; records: number; bytes: number }, parquet: string, columns: string): Promise<void> {
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
    await connection.run(
      `COPY (SELECT * FROM read_json(${literal(shard.file)}, format = 'newline_delimited', columns = ${columns})) ` +
        `TO ${literal(parquet)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${rowGroup})`,
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
