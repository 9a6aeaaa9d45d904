// Firmware entry (bundled by `scripts/bundle.ts --entry app/firmware-main`). The runtime
// (firmware/runtime) calls, as console protocol 2 (firmware/runtime/console.h) has it:
//   homewire.identity()  at every boot: makes the device key on a first boot; "enrolled <pub>"
//                        or "not-enrolled <pub>"
//   homewire.main()      when enrolled: the tunnel and the sensor app from the stored config
//   homewire.enroll(json) / publicKey() / logStatus()   console commands
//   homewire.onDatagram / onTunnelPacket / tick          from its event loop
//   homewire.onResolved(id, address, error)              a DNS answer (hw.dnsResolve), from its event loop
// Nothing device-specific reaches this file except through the store.

import { Sensor, endpointText } from "./sensor";

import { enroll as enrollIdentity, enrolledConfig, loadIdentity, newIdentity, saveIdentity } from "./identity";
import type { Identity } from "./identity";
import type { EnrolledConfig } from "./config";
import { Device } from "../wireguard/device";
import { formatIp, parseCidr, parseIp } from "../wireguard/allowedips";
import { encodeBase64 } from "../wireguard/base64";
import type { NamedEndpoint } from "../wireguard/endpointname";
import { firmwarePlatform } from "../platform/firmware";
import type { FirmwareResolver } from "../platform/firmware-resolver";
import { LOG_INFO, LOG_WARN } from "../platform/platform";
import type { Address, Platform } from "../platform/platform";

var platform: Platform | null = null;
var current: Identity | null = null;
var device: Device | null = null;
var sensor: Sensor | null = null;
/** The deep-sleep mode, when this image has it (firmware-sleep-main.ts registers it): starts the
 *  app for one wake and returns what the loop ticks. Kept out of this module so an image without
 *  it does not compile it: the QEMU board's Duktape heap has no room for both. */
export interface SleepMode {
  start(id: Identity, config: EnrolledConfig, platform: Platform): { device: Device; tick(): void; statusLine(): string };
}
var sleepMode: SleepMode | null = null;
var sleeper: { tick(): void; statusLine(): string } | null = null;

var NO_SLEEP_MODE = "app.sleepMs: this firmware image has no deep-sleep mode (flash one that has: CONFIG_HOMEWIRE_DEEP_SLEEP on ESP32, homewire-sleep-fw.js on the host and QEMU boards)";

export function useSleepMode(mode: SleepMode): void {
  sleepMode = mode;
}
/** When the peer's endpoint is a DNS name: its lookups (endpointname.ts) and lwIP's resolver. */
var named: NamedEndpoint | null = null;
var resolver: FirmwareResolver | null = null;

function thePlatform(): Platform {
  if (!platform) platform = firmwarePlatform();
  return platform;
}

function theIdentity(): Identity {
  if (!current) throw new Error("identity: not loaded (the runtime calls homewire.identity() first)");
  return current;
}

/** The device's identity at boot: loaded from the store, or made on the first boot. */
export function identity(): string {
  var p = thePlatform();
  var id = loadIdentity(p.store, p.crypto);
  if (!id) {
    id = newIdentity(p.random, p.crypto);
    saveIdentity(p.store, id);
  }
  current = id;
  return (id.config ? "enrolled " : "not-enrolled ") + encodeBase64(id.publicKey);
}

export function publicKey(): string {
  return encodeBase64(theIdentity().publicKey);
}

/** Console "enroll": the same checks as the CLI's, then one put. Takes effect at the next boot. */
export function enroll(json: string): string {
  var p = thePlatform();
  current = enrollIdentity(p.store, p.random, p.crypto, theIdentity(), json, function (config) {
    if (config.app && config.app.sleepMs > 0 && !sleepMode)
      throw new TypeError(NO_SLEEP_MODE);
  });
  return encodeBase64(current.publicKey);
}

export function main(): void {
  var p = thePlatform();
  var id = theIdentity();
  var config = enrolledConfig(id);
  if (!config) throw new Error("not enrolled");
  var a = config.addresses;
  if (a.length === 2) hw.netConfigure(config.listenPort, a[0].ip, a[0].prefix, a[1].ip, a[1].prefix);
  else hw.netConfigure(config.listenPort, a[0].ip, a[0].prefix);
  for (var i = 0; i < config.peer.allowedIps.length; i++) {
    var cidr = parseCidr(config.peer.allowedIps[i]);
    hw.tunnelRoute(formatIp(cidr.bytes), cidr.prefix);
  }
  if (config.wifi && !hw.wifiJoin(config.wifi.ssid, config.wifi.password)) p.io.log(LOG_WARN, "wifi: this board has no Wi-Fi; the credentials are not used");
  var tunnel: string[] = [];
  for (var k = 0; k < a.length; k++) tunnel.push(a[k].ip + "/" + a[k].prefix);
  if (config.app && config.app.sleepMs > 0) {
    // Deep-sleep mode (sleep.ts): one reading per wake on the session kept across the sleep.
    if (!sleepMode) throw new TypeError(NO_SLEEP_MODE);
    var woke = sleepMode.start(id, config, p);
    device = woke.device;
    sleeper = woke;
    p.io.log(LOG_INFO, "homewire up (deep-sleep mode): tunnel " + tunnel.join(", "));
    return;
  }
  var endpoint = config.peer.endpoint;
  var d: Device;
  if (endpoint !== null && parseIp(endpoint.host) === null) {
    // Home by name: loaded only here (scripts/bundle.ts defers it), so address boards never hold it.
    var dns = requireDeferred("./firmware-dns") as typeof import("./firmware-dns");
    var home = dns.homeByName(config, endpoint, id.privateKey, id.publicKey, p);
    d = home.device;
    named = home.named;
    resolver = home.resolver;
  } else {
    d = new Device({ privateKey: id.privateKey, publicKey: id.publicKey, peer: config.peer }, p);
  }
  device = d;
  if (config.app) {
    var n = named;
    sensor = new Sensor(config.app, p.clock, {
      send: function (bytes, to) { return hw.appUdpSend(bytes, to.host, to.port); },
      log: p.io.log,
      status: function () { return d.status(); },
      dns: n ? function () { return n!.status(); } : undefined,
    });
  }
  p.io.log(LOG_INFO, "homewire up: tunnel " + tunnel.join(", ") + ", listening on " + config.listenPort +
    (endpoint ? ", peer " + endpointText(endpoint) : ", waiting for the peer"));
}

/** A DNS answer from the runtime's event loop (the lookup hw.dnsResolve started). */
export function onResolved(id: number, address: string | undefined, error: string | undefined): void {
  if (resolver) resolver.answer(id, address, error);
}

/** The source of the last datagram, reused while it repeats (a new object per packet is an
 *  allocation on the per-packet path). Never changed once made: the core may keep it. */
var lastFrom: Address = { host: "", port: 0 };

export function onDatagram(bytes: Uint8Array, host: string, port: number): void {
  if (!device) return;
  var from = lastFrom;
  if (from.port !== port || from.host !== host) from = lastFrom = { host: host, port: port };
  device.onDatagram(bytes, from);
}

export function onTunnelPacket(packet: Uint8Array): void {
  if (device) device.onTunnelPacket(packet);
}

/** The board's outer address changed: handshake again from the new one rather than wait for
 *  the peer to notice (the runtime calls this; Wi-Fi boards after a new lease). */
export function onNetworkChange(): void {
  if (device) device.connect();
}

export function tick(): void {
  if (!device) return;
  device.tick();
  if (named) named.tick();
  if (sleeper) sleeper.tick();
  else if (sensor) sensor.tick();
}

/** The core's status, and the name's lookups when home is a name. */
function coreStatus(d: Device): string {
  var s: { [k: string]: unknown } = d.status() as unknown as { [k: string]: unknown };
  if (named) s.dns = named.status();
  return JSON.stringify(s);
}

/** Console "status": the app's status line now (the sensor's, else the core's). */
export function logStatus(): void {
  if (!device) return;
  thePlatform().io.log(LOG_INFO, "status " + (sleeper ? sleeper.statusLine() : sensor ? sensor.statusLine() : coreStatus(device)));
}

/** The status as JSON (for a test). */
export function status(): string {
  return device ? coreStatus(device) : "null";
}
