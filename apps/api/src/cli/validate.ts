/**
 * `studio validate [--json] [FILE|-]` (SPEC §6): validates tagged text. A `.jsonl` file (or
 * `--jsonl`) holds one `{"text": …}` per line; anything else is one text. Output, one line per
 * text in input order: with `--json`, `{"index":0,"valid":true,"warnings":[…]}` or
 * `{"index":1,"valid":false,"errors":[…],"warnings":[…]}`, each diagnostic
 * `{"code","offset","line","column","message"}` (offsets in code points); without it, readable
 * lines. Exit status: 0 all valid, 1 some invalid, 2 usage or I/O error.
 *
 * A `.jsonl` line that is not UTF-8, not JSON, or has no `text` string is reported as an invalid
 * record (codes `invalid_utf8`, `invalid_json`, `missing_text`; `line` is then the line of the
 * file, column 1, offset 0) and the other lines are still checked. Blank lines are skipped and
 * get no index. A plain input that is not UTF-8 text (or holds NUL bytes, as binary files do)
 * cannot be validated at all: exit status 2.
 */
import { createValidator, validate, type Diagnostic, type ValidationResult, type ValidatorOptions } from "@prealign/core";
import { Command } from "commander";
import { decodeLine, InputError, inputName, lines, openInput, textChunks } from "./taggedTextInput.ts";

/** A diagnostic as the JSON output shows it. */
interface ReportedDiagnostic {
  code: string;
  offset: number;
  line: number;
  column: number;
  message: string;
}

/** What is reported for one text or record. */
interface Report {
  valid: boolean;
  errors: ReportedDiagnostic[];
  warnings: ReportedDiagnostic[];
}

function reported(d: Diagnostic): ReportedDiagnostic {
  return { code: d.code, offset: d.offset, line: d.line, column: d.column, message: d.message };
}

function fromResult(result: ValidationResult): Report {
  return { valid: result.valid, errors: result.errors.map(reported), warnings: result.warnings.map(reported) };
}

/** A record of a `.jsonl` file that is not a text to validate. */
function badRecord(code: string, line: number, message: string): Report {
  return { valid: false, errors: [{ code, offset: 0, line, column: 1, message: `Line ${line} of the file: ${message}` }], warnings: [] };
}

/** Writes to standard output, waiting when the pipe is full so that memory stays flat. */
async function write(text: string): Promise<void> {
  if (!process.stdout.write(text)) await new Promise((resolve) => process.stdout.once("drain", resolve));
}

interface Printer {
  print(index: number, where: string, report: Report): Promise<void>;
  finish(): Promise<void>;
}

function jsonPrinter(): Printer {
  return {
    print: (index, _where, report) => {
      const line = report.valid ? { index, valid: true, warnings: report.warnings } : { index, valid: false, errors: report.errors, warnings: report.warnings };
      return write(JSON.stringify(line) + "\n");
    },
    finish: async () => {},
  };
}

function readablePrinter(): Printer {
  let texts = 0;
  let invalid = 0;
  let warnings = 0;
  return {
    print: (_index, where, report) => {
      texts++;
      if (!report.valid) invalid++;
      warnings += report.warnings.length;
      const verdict = report.valid ? "valid" : "invalid";
      const count = report.warnings.length === 0 ? "" : ` (${report.warnings.length} warning${report.warnings.length === 1 ? "" : "s"})`;
      const details = [...report.errors.map((e) => `  error: ${e.message}`), ...report.warnings.map((w) => `  warning: ${w.message}`)];
      return write([`${where}: ${verdict}${count}`, ...details].join("\n") + "\n");
    },
    finish: () => write(`${texts} text${texts === 1 ? "" : "s"} checked: ${texts - invalid} valid, ${invalid} invalid, ${warnings} warning${warnings === 1 ? "" : "s"}.\n`),
  };
}

/** Validates a stream of records, one `{"text": …}` per line. Returns whether all were valid. */
async function validateJsonl(file: string | undefined, options: ValidatorOptions, printer: Printer): Promise<boolean> {
  const name = inputName(file);
  let index = 0;
  let allValid = true;
  for await (const { number, bytes } of lines(openInput(file), name)) {
    const decoded = decodeLine(bytes);
    if (decoded !== null && decoded.trim() === "") continue;
    let report: Report;
    if (decoded === null) {
      report = badRecord("invalid_utf8", number, "not valid UTF-8; save the file as UTF-8.");
    } else {
      let record: unknown;
      try {
        record = JSON.parse(decoded);
      } catch (error) {
        record = error;
      }
      if (record instanceof SyntaxError) {
        report = badRecord("invalid_json", number, `not valid JSON (${record.message}); each line must be one JSON object such as {"text": "…"}.`);
      } else if (typeof record !== "object" || record === null || typeof (record as { text?: unknown }).text !== "string") {
        report = badRecord("missing_text", number, `has no "text" string; each line must be a JSON object such as {"text": "…"}.`);
      } else {
        report = fromResult(validate((record as { text: string }).text, options));
      }
    }
    if (!report.valid) allValid = false;
    await printer.print(index++, `${name}:${number}`, report);
  }
  return allValid;
}

/** Validates the whole input as one text, streamed through the validator. */
async function validatePlain(file: string | undefined, options: ValidatorOptions, printer: Printer): Promise<boolean> {
  const name = inputName(file);
  const validator = createValidator(options);
  for await (const text of textChunks(openInput(file), name)) validator.push(text);
  const report = fromResult(validator.end());
  await printer.print(0, name, report);
  return report.valid;
}

/** The `validate` command. */
export function validateCommand(): Command {
  return new Command("validate")
    .description("validate tagged text (a .jsonl file: one {\"text\": …} per line; otherwise the whole file is one text)")
    .argument("[file]", "the file to read; - or nothing for standard input")
    .option("--json", "print one JSON object per text")
    .option("--jsonl", "read one {\"text\": …} per line whatever the file name (for standard input)")
    .option("--unaligned-quotes", "allow the <AI_quoting_unaligned_AI> pair (a project option)")
    .option("--no-quote-marks", "do not warn about quotes that are not inside quotation marks")
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
    .action(async (file: string | undefined, flags: { json?: boolean; jsonl?: boolean; unalignedQuotes?: boolean; quoteMarks: boolean }) => {
      const options: ValidatorOptions = { unalignedQuotes: flags.unalignedQuotes ?? false, quoteWithoutMarks: flags.quoteMarks };
      const printer = flags.json ? jsonPrinter() : readablePrinter();
      const jsonl = flags.jsonl || (file !== undefined && file.toLowerCase().endsWith(".jsonl"));
      try {
        const allValid = jsonl ? await validateJsonl(file, options, printer) : await validatePlain(file, options, printer);
        await printer.finish();
        process.exitCode = allValid ? 0 : 1;
      } catch (error) {
        process.stderr.write(error instanceof InputError ? `studio validate: ${error.message}\n` : `studio validate: unexpected failure: ${(error as Error).stack}\n`);
        process.exitCode = 2;
      }
    });
}
