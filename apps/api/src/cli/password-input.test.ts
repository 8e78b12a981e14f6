/**
 * Reading a password from standard input: piped, or typed at a terminal without echo.
 */
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { readPassword } from "./password-input.ts";

/** A stand-in for standard input; `terminal` makes it look like a TTY that records raw mode. */
function fakeInput(terminal: boolean) {
  const stream = new PassThrough();
  const rawModes: boolean[] = [];
  Object.assign(stream, { isTTY: terminal, setRawMode: (mode: boolean) => rawModes.push(mode) });
  return { input: stream as unknown as NodeJS.ReadStream, stream, rawModes };
}

describe("readPassword", () => {
  it("takes piped input whole, without its final line break", async () => {
    const { input, stream } = fakeInput(false);
    const read = readPassword("Password: ", input);
    stream.end("  spaces kept  \n");
    await expect(read).resolves.toBe("  spaces kept  ");
  });

  it("reads a typed line in raw mode, honouring Backspace, and leaves raw mode after Enter", async () => {
    const { input, stream, rawModes } = fakeInput(true);
    const read = readPassword("Password: ", input);
    stream.write("sekx");
    stream.write("\u007fret\r");
    await expect(read).resolves.toBe("sekret");
    expect(rawModes).toEqual([true, false]);
  });

  it("gives up on Ctrl-C", async () => {
    const { input, stream } = fakeInput(true);
    const read = readPassword("Password: ", input);
    stream.write("abc\u0003");
    await expect(read).rejects.toThrow("Cancelled.");
  });
});
