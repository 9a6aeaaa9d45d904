// Firmware entry (bundled by `scripts/bundle.ts --entry app/firmware-main`): the runtime
// calls homewire.main(deviceConfigJson, appJson) once, then onDatagram / onTunnelPacket /
// tick from its event loop (firmware/runtime). Everything else is the core and the app.

import { parseDeviceConfig } from "./config";
import { Sensor, parseSensorOptions } from "./sensor";
import { Device } from "../wireguard/device";
import { formatIp, parseCidr } from "../wireguard/allowedips";
import { firmwarePlatform } from "../platform/firmware";
import { LOG_INFO, LOG_WARN } from "../platform/platform";
import type { Platform } from "../platform/platform";

var device: Device | null = null;
var sensor: Sensor | null = null;

export function main(configJson: string, appJson?: string): void {
  var platform: Platform = firmwarePlatform();
  var config = parseDeviceConfig(configJson);
  if (config.address.version !== 4) throw new TypeError("address: this firmware's lwIP is built IPv4-only");
  hw.netConfigure(config.listenPort, config.address.ip, config.address.prefix);
  for (var i = 0; i < config.peer.allowedIps.length; i++) {
    var cidr = parseCidr(config.peer.allowedIps[i]);
    if (cidr.version === 4) hw.tunnelRoute(formatIp(cidr.bytes), cidr.prefix);
    else platform.io.log(LOG_WARN, "allowedIps: IPv6 " + config.peer.allowedIps[i] + " ignored (IPv4-only build)");
  }
  var d = new Device(config, platform);
  device = d;
  if (appJson) {
    sensor = new Sensor(parseSensorOptions(appJson), platform.clock, {
      send: function (bytes, to) { return hw.appUdpSend(bytes, to.host, to.port); },
      log: platform.io.log,
      status: function () { return d.status(); },
    });
  }
  platform.io.log(LOG_INFO, "homewire up: tunnel " + config.address.ip + "/" + config.address.prefix +
    ", listening on " + config.listenPort + (config.peer.endpoint ? ", peer " + config.peer.endpoint.host + ":" + config.peer.endpoint.port : ", waiting for the peer"));
}

export function onDatagram(bytes: Uint8Array, host: string, port: number): void {
  if (device) device.onDatagram(bytes, { host: host, port: port });
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
  if (sensor) sensor.tick();
}

/** The status line as JSON (for a console command or a test). */
export function status(): string {
  return device ? JSON.stringify(device.status()) : "null";
}
