/**
 * What a snapshot remembers of the ids it exported, and how the next one compares with it: the
 * ids, sorted and joined by newlines, are stored gzip-compressed in the Snapshot row; a new
 * export merges its own sorted ids against them, streaming both, to list the ids added and
 * removed since (SPEC §5).
 *
 * "The previous snapshot" is the project's latest snapshot with a different set of ids, so that
 * exporting unchanged data again compares against the same snapshot as before and writes the
 * same manifest (SPEC §5: two exports of the same snapshot differ only in creation time).
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import type { Db } from "../../db/database.ts";
import { LineWriter } from "./shards.ts";

/** The lines of a stream of UTF-8 text, one at a time. */
function lines(stream: Readable): AsyncIterator<string> {
  return createInterface({ input: stream, crlfDelay: Infinity })[Symbol.asyncIterator]();
}

/** The gzip of a file (the ids file, as a Snapshot row stores it). Deterministic: gzip headers carry no time here. */
export async function gzipFile(file: string): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Buffer[] = [];
  await pipeline(createReadStream(file), createGzip({ level: 9 }), async (compressed: AsyncIterable<Buffer>) => {
    for await (const chunk of compressed) chunks.push(chunk);
  });
  return Uint8Array.from(Buffer.concat(chunks));
}

/** A snapshot the new one is compared with. */
export interface PreviousSnapshot {
  id: string;
  createdAt: Date;
  /** Its gzip-compressed ids. */
  ids: Uint8Array;
}

/** Snapshots looked at per query while looking for the previous one. */
const SNAPSHOT_PAGE = 20;

/**
 * The project's latest snapshot whose ids differ from the new one's (by the SHA-256 of the ids
 * file, which each snapshot's summary keeps as `idsSha256`), or null when there is none.
 */
export async function previousSnapshot(db: Db, projectId: string, idsSha256: string): Promise<PreviousSnapshot | null> {
  for (let skip = 0; ; skip += SNAPSHOT_PAGE) {
    const page = await db.snapshot.findMany({
      where: { projectId },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip,
      take: SNAPSHOT_PAGE,
      select: { id: true, createdAt: true, summary: true },
    });
    const differing = page.find((snapshot) => {
      const summary = snapshot.summary;
      return !(typeof summary === "object" && summary !== null && !Array.isArray(summary) && summary.idsSha256 === idsSha256);
    });
    if (differing) {
      const { ids } = await db.snapshot.findUniqueOrThrow({ where: { id: differing.id }, select: { ids: true } });
      return { id: differing.id, createdAt: differing.createdAt, ids };
    }
    if (page.length < SNAPSHOT_PAGE) return null;
  }
}

/**
 * Compares the sorted ids in `idsFile` with the previous snapshot's (none: every id is added),
 * writing the ids added to `addedFile` and those removed to `removedFile`, one per line, sorted.
 * Both lists are read as streams, so memory does not grow with their length.
 */
export async function diffIds(idsFile: string, previous: Uint8Array | null, addedFile: string, removedFile: string): Promise<{ added: number; removed: number }> {
  const current = lines(createReadStream(idsFile));
  const before = previous === null ? null : lines(Readable.from([Buffer.from(previous)]).pipe(createGunzip()));
  const added = await LineWriter.open(addedFile);
  const removed = await LineWriter.open(removedFile);
  try {
    return await mergeIds(current, before, added, removed);
  } catch (error) {
    await Promise.all([added.abandon(), removed.abandon()]);
    throw error;
  }
}

/** Writes the ids only in `current` to `added` and those only in `before` to `removed`; closes both. */
async function mergeIds(
  current: AsyncIterator<string>,
  before: AsyncIterator<string> | null,
  added: LineWriter,
  removed: LineWriter,
): Promise<{ added: number; removed: number }> {
  const next = async (source: AsyncIterator<string> | null): Promise<string | null> => {
    if (source === null) return null;
    for (;;) {
      const { value, done } = await source.next();
      if (done) return null;
      // The joined ids end without a newline, but an empty snapshot would give one empty line.
      if (value !== "") return value;
    }
  };
  let a = await next(current);
  let b = await next(before);
  while (a !== null || b !== null) {
    if (b === null || (a !== null && a < b)) {
      await added.write(a!);
      a = await next(current);
    } else if (a === null || b < a) {
      await removed.write(b);
      b = await next(before);
    } else {
      a = await next(current);
      b = await next(before);
    }
  }
  await added.close();
  await removed.close();
  return { added: added.lines, removed: removed.lines };
}
