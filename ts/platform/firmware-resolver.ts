// Platform.resolver on the firmware: lwIP's DNS client through hw.dnsResolve. The lookup runs
// inside lwIP; its answer comes back through the runtime's event loop as
// homewire.onResolved(id, address, error), which firmware-main.ts hands to answer() here, so
// nothing waits and JS is never called from inside lwIP. A module of its own: only a board whose
// peer endpoint is a name loads it.

import type { Resolver } from "./platform";

export interface FirmwareResolver extends Resolver {
  /** The runtime's answer to lookup `id` (homewire.onResolved). */
  answer(id: number, address: string | undefined, error: string | undefined): void;
}

/** Sets the board's DNS servers (none: lwIP has none, and every lookup says so). */
export function firmwareResolver(servers: string[]): FirmwareResolver {
  for (var i = 0; i < servers.length; i++) hw.dnsServer(i, servers[i]);
  var lastId = 0;
  var pending: { id: number; done: (addresses: string[] | null, error: string | null) => void } | null = null;
  return {
    resolve: function (name: string, done: (addresses: string[] | null, error: string | null) => void): void {
      // The runtime keeps one answer, the latest lookup's: one still pending will get none.
      var earlier = pending;
      pending = null;
      if (earlier) earlier.done(null, "superseded by a newer lookup");
      lastId = lastId >= 0x7fffffff ? 1 : lastId + 1;
      pending = { id: lastId, done: done };
      try {
        hw.dnsResolve(name, lastId);
      } catch (e) {
        pending = null;
        done(null, (e as Error).message);
      }
    },
    answer: function (id: number, address: string | undefined, error: string | undefined): void {
      if (pending === null || pending.id !== id) return; // superseded: its caller was told
      var done = pending.done;
      pending = null;
      if (typeof address === "string") done([address], null);
      else done(null, typeof error === "string" ? error : "no answer");
    },
  };
}
