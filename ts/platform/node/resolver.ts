// Platform.resolver on Node: the given DNS servers (as a board takes its servers from the config),
// else the system's resolver (getaddrinfo). IPv4 answers first, then IPv6; never throws, answers
// through the callback once.
import { Resolver as DnsResolver, lookup } from "node:dns";
import type { Resolver } from "../platform.ts";

export function nodeResolver(servers: string[] = []): Resolver {
  if (servers.length === 0) {
    return {
      resolve(name, done) {
        lookup(name, { all: true }, (err, addresses) => {
          if (err) done(null, err.code ?? err.message);
          else done(addresses.map((a) => a.address), null);
        });
      },
    };
  }
  // The core has its own timeout (endpointname.ts); this one only keeps c-ares from retrying long.
  const dns = new DnsResolver({ timeout: 2000, tries: 2 });
  dns.setServers(servers);
  return {
    resolve(name, done) {
      dns.resolve4(name, (err4, a4) => {
        if (!err4 && a4.length > 0) return done(a4, null);
        dns.resolve6(name, (err6, a6) => {
          if (!err6 && a6.length > 0) return done(a6, null);
          done(null, (err4 ?? err6)?.code ?? "no address");
        });
      });
    },
  };
}
