// Firmware entry (bundled by `scripts/bundle.ts --entry app/firmware-main`). The runtime
// (firmware/runtime) calls, as console protocol 2 (firmware/runtime/console.h) has it:
//   homewire.identity()  at every boot: makes the device key on a first boot; "enrolled <pub>"
//                        or "not-enrolled <pub>"
//   homewire.main()      when enrolled: the tunnel and the sensor app from the stored config
//   homewire.enroll(json) / publicKey() / logStatus()   console commands
//   homewire.onDatagram / onTunnelPacket / tick          from its event loop
// Nothing device-specific reaches this file except through the store.

import { Sensor } from "./sensor";

import { enroll as enrollIdentity, enrolledConfig, loadIdentity, newIdentity, saveIdentity } from "./identity";
import type { Identity } from "./identity";
import type { EnrolledConfig } from "./config";
import { Device } from "../wireguard/device";
import { formatIp, parseCidr } from "../wireguard/allowedips";
import { encodeBase64 } from "../wireguard/base64";
import { firmwarePlatform } from "../platform/firmware";
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

export function useSleepMode(mode: SleepMode): void {
  sleepMode = mode;
}

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
  current = enrollIdentity(p.store, p.random, p.crypto, theIdentity(), json);
  return encodeBase64(current.publicKey);
}

export function main(): void {
  var p = thePlatform();
  var id = theIdentity();
  var config = enrolledConfig(id);
  if (!config) throw new Error("not enrolled");
  if (config.address.version !== 4) throw new TypeError("address: this firmware's lwIP is built IPv4-only");
  hw.netConfigure(config.listenPort, config.address.ip, config.address.prefix);
  for (var i = 0; i < config.peer.allowedIps.length; i++) {
    var cidr = parseCidr(config.peer.allowedIps[i]);
    if (cidr.version === 4) hw.tunnelRoute(formatIp(cidr.bytes), cidr.prefix);
    else p.io.log(LOG_WARN, "allowedIps: IPv6 " + config.peer.allowedIps[i] + " ignored (IPv4-only build)");
  }
  if (config.wifi && !hw.wifiJoin(config.wifi.ssid, config.wifi.password)) p.io.log(LOG_WARN, "wifi: this board has no Wi-Fi; the credentials are not used");
  if (config.app && config.app.sleepMs > 0) {
    // Deep-sleep mode (sleep.ts): one reading per wake on the session kept across the sleep.
    if (!sleepMode) throw new TypeError("app.sleepMs: this firmware image has no deep-sleep mode (the homewire-sleep image has)");
    var woke = sleepMode.start(id, config, p);
    device = woke.device;
    sleeper = woke;
    p.io.log(LOG_INFO, "homewire up (deep-sleep mode): tunnel " + config.address.ip + "/" + config.address.prefix);
    return;
  }
  var d = new Device({ privateKey: id.privateKey, peer: config.peer }, p);
  device = d;
  if (config.app) {
    sensor = new Sensor(config.app, p.clock, {
      send: function (bytes, to) { return hw.appUdpSend(bytes, to.host, to.port); },
      log: p.io.log,
      status: function () { return d.status(); },
    });
  }
  p.io.log(LOG_INFO, "homewire up: tunnel " + config.address.ip + "/" + config.address.prefix +
    ", listening on " + config.listenPort + (config.peer.endpoint ? ", peer " + config.peer.endpoint.host + ":" + config.peer.endpoint.port : ", waiting for the peer"));
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
  if (sleeper) sleeper.tick();
  else if (sensor) sensor.tick();
}

/** Console "status": the app's status line now (the sensor's, else the core's). */
export function logStatus(): void {
  if (!device) return;
  thePlatform().io.log(LOG_INFO, "status " + (sleeper ? sleeper.statusLine() : sensor ? sensor.statusLine() : JSON.stringify(device.status())));
}

/** The status as JSON (for a test). */
export function status(): string {
  return device ? JSON.stringify(device.status()) : "null";
}
