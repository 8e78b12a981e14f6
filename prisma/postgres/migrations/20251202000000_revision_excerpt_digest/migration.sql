-- AlterTable: the start of each revision's text, so that lists never read whole texts, and the
-- SHA-256 of its document, so that saves compare documents without reading them.
ALTER TABLE "Revision" ADD COLUMN "excerpt" TEXT NOT NULL DEFAULT '';
ALTER TABLE "Revision" ADD COLUMN "digest" TEXT NOT NULL DEFAULT '';

-- Backfill the excerpt: the first 160 characters (PostgreSQL's substring counts code points).
-- Older revisions keep an empty digest, and a save then compares their documents in full.
UPDATE "Revision" SET "excerpt" = substring("text" from 1 for 160);
