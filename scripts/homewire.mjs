#!/usr/bin/env node
// The `homewire` bin (package.json): runs the TypeScript CLI in ts/cli through tsx, so the host
// tools need no build step.
import { register } from "tsx/esm/api";

register();
const cli = await import(new URL("../ts/cli/main.ts", import.meta.url).href);
await cli.runFromProcess();
