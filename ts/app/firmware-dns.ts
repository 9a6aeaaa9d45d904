// Home given as a DNS name, on the firmware: an EndpointDevice (its endpoint can be set from
// outside) that starts without an endpoint, NamedEndpoint beside it (when to look the name up,
// what an answer changes: endpointname.ts), and lwIP's DNS client behind Platform.resolver
// (firmware-resolver.ts). firmware-main.ts loads this module with requireDeferred, only when
// the enrolled endpoint is a name: a board whose home is an address never compiles any of it.

import type { EnrolledConfig } from "./config";
import { EndpointDevice } from "../wireguard/endpointdevice";
import { NamedEndpoint } from "../wireguard/endpointname";
import { firmwareResolver } from "../platform/firmware-resolver";
import type { FirmwareResolver } from "../platform/firmware-resolver";
import { LOG_WARN } from "../platform/platform";
import type { Address, Platform } from "../platform/platform";

export interface HomeByName {
  device: EndpointDevice;
  named: NamedEndpoint;
  resolver: FirmwareResolver;
}

/** publicKey: privateKey's public half as the identity derived it (DeviceConfig.publicKey). */
export function homeByName(config: EnrolledConfig, endpoint: Address, privateKey: Uint8Array, publicKey: Uint8Array, p: Platform): HomeByName {
  var resolver = firmwareResolver(config.dns);
  p.resolver = resolver;
  var peer = config.peer;
  var device = new EndpointDevice({
    privateKey: privateKey,
    publicKey: publicKey,
    peer: { publicKey: peer.publicKey, presharedKey: peer.presharedKey, endpoint: null, allowedIps: peer.allowedIps, persistentKeepalive: peer.persistentKeepalive },
  }, p);
  var named = new NamedEndpoint(device, endpoint, peer.resolveIntervalSeconds, resolver, p.clock, p.io.log);
  if (config.dns.length === 0) p.io.log(LOG_WARN, "dns: no servers in the config; " + endpoint.host + " is looked up with the board's own, if it has any");
  return { device: device, named: named, resolver: resolver };
}
