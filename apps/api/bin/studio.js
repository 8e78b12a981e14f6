#!/usr/bin/env node
// The `studio` command line. Runs the TypeScript sources through tsx so that no build step
// stands between `npm install` and a working command.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
