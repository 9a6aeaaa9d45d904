// Home by DNS name, for the tests: Debian's dnsmasq (dnsmasq-base) in the home namespace on an
// address of its own, answering for homewire.test from a hosts file the test rewrites (SIGHUP
// reloads it): other names there are NXDOMAIN, nothing is forwarded. And home moving to a new
// outer address with its record. Used by the Node endpoint's interop test (dns.interop.ts) and
// by test-hil's board scenarios.
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { run, waitFor } from "./proc.ts";
import type { Topology } from "./netns.ts";

export const DNS_SERVER = "192.168.77.53";
export const HOME_NAME = "home.homewire.test";
/** Where home moves to (the same link, so the device reaches it once it knows the address). */
export const HOME_MOVED = "192.168.77.10";

export interface Dnsmasq {
  /** Replaces the records ("address name" lines) and waits until dnsmasq has read them. */
  update(records: string): Promise<void>;
}

export async function startDnsmasq(topo: Topology, records: string, server = DNS_SERVER): Promise<Dnsmasq> {
  // The server's address must survive home's address being removed (the primary of the subnet).
  await run(topo.exec(topo.home, ["sysctl", "-q", "-w", "net.ipv4.conf.veth0.promote_secondaries=1"]));
  await run(["ip", "-n", topo.home, "addr", "add", `${server}/24`, "dev", "veth0"]);
  const hosts = join(topo.dir, "dns-hosts");
  writeFileSync(hosts, records);
  let reads = 0; // "read <hosts>" lines: one at start, one per reload
  const d = topo.spawn("dnsmasq", topo.home, ["dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
    "--local=/homewire.test/", `--addn-hosts=${hosts}`, `--listen-address=${server}`, "--bind-interfaces", "--port=53", "--user=root", "--pid-file=",
    "--log-queries", "--log-facility=-"], { onLine: (line) => { if (line.includes(`read ${hosts}`)) reads++; } });
  await waitFor("dnsmasq to start", () => (reads > 0 && d.tail.includes("started")) || (!d.running && Promise.reject(new Error(d.tail))), 10000);
  return {
    async update(next: string) {
      writeFileSync(hosts, next);
      const before = reads;
      d.process.kill("SIGHUP");
      await waitFor("dnsmasq to reload its hosts", () => reads > before, 5000);
    },
  };
}

/** Home moves: a new outer address, its record with it, the old address gone (in that order, so
 *  the name never points nowhere). */
export async function moveHome(topo: Topology, dns: Dnsmasq, from: string, to: string, prefix = 24): Promise<void> {
  await run(["ip", "-n", topo.home, "addr", "add", `${to}/${prefix}`, "dev", "veth0"]);
  await dns.update(`${to} ${HOME_NAME}\n`);
  await run(["ip", "-n", topo.home, "addr", "del", `${from}/${prefix}`, "dev", "veth0"]);
}
