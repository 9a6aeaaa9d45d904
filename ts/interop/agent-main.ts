// The child side of JsonAgent (proc.ts): an agent reads one JSON command per stdin line,
// {id, cmd, ...}, and answers {id, ok, result} or {id, ok: false, error}; events it emits carry
// no id. Every agent in this folder serves its handlers through here.
import { createInterface } from "node:readline";

export type AgentHandlers = Record<string, (m: any) => unknown | Promise<unknown>>;

/** One line of JSON to the test runner. */
export function emit(msg: unknown): void {
  process.stdout.write(JSON.stringify(msg) + "\n");
}

/** Answers commands from stdin until it closes: the test runner owns the agent, so when the
 *  runner goes away the agent exits too. */
export function serveAgent(handlers: AgentHandlers): void {
  const rl = createInterface({ input: process.stdin });
  rl.on("line", async (line) => {
    let m: any;
    try {
      m = JSON.parse(line);
    } catch {
      emit({ event: "error", message: "bad JSON on stdin" });
      return;
    }
    try {
      const h = handlers[m.cmd];
      if (!h) throw new Error(`unknown command "${m.cmd}"`);
      emit({ id: m.id, ok: true, result: await h(m) });
    } catch (e) {
      emit({ id: m.id, ok: false, error: (e as Error).message });
    }
  });
  rl.on("close", () => process.exit(0));
}
