// Firmware entry: what the bundle (build/homewire.js) exposes as the global `homewire`.
// For now the config parser, the protocol Device and the self-checks; the firmware runtime
// (natives, lwIP, event loop) comes in a later issue.

import { isHostName, parseDeviceConfig, parseEndpoint, parseInterfaceAddress } from "./config";
import { Device } from "../wireguard/device";
import type { Platform } from "../platform/platform";
import { runSelfTests as runCoreSelfTests, SelfTestRun, SelfTestResult, expect, expectEqual } from "../wireguard/selftest";

export { parseDeviceConfig, parseEndpoint, parseInterfaceAddress };
export { encodeBase64, decodeBase64 } from "../wireguard/base64";

export { Device };

export var VERSION = "0.1.0";

/** The device for a config file's text: parse (TypeError naming the field), then construct. */
export function createDevice(configJson: string, platform: Platform): Device {
  return new Device(parseDeviceConfig(configJson), platform);
}

function configChecks(run: SelfTestRun): void {
  run.check("config: parses a full device config", function () {
    var k1 = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
    var k2 = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=";
    var c = parseDeviceConfig(JSON.stringify({
      privateKey: k1, address: "10.77.0.2/32",
      peer: { publicKey: k2, endpoint: "[fd00::1]:51820", allowedIps: ["10.77.0.0/24"], persistentKeepalive: 25 },
    }));
    expectEqual(c.privateKey[31], 1, "private key byte");
    expectEqual(c.peer.publicKey[0], 2, "public key byte");
    expectEqual(c.peer.endpoint ? c.peer.endpoint.host + "|" + c.peer.endpoint.port : "none", "fd00::1|51820", "endpoint");
    expectEqual(c.listenPort, 51820, "default port");
  });
  run.check("config: an endpoint may be a host name", function () {
    expect(isHostName("home.example.org") && !isHostName("192.0.2.1") && !isHostName("a_b.org") && !isHostName("1.2.3.999"), "names");
    var c = parseDeviceConfig(CONFIG_FOR_CHECKS.replace("192.0.2.1:51820", "home.example.org:51820"));
    expectEqual(c.peer.endpoint ? c.peer.endpoint.host : "none", "home.example.org", "endpoint host");
  });
  run.check("config: errors name the field", function () {
    var message = "";
    try {
      parseDeviceConfig('{"privateKey":"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=","address":"10.77.0.2/32",' +
        '"peer":{"publicKey":"AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=","endpoint":"192.0.2.1:70000","allowedIps":["10.0.0.0/8"]}}');
    } catch (e) {
      expect(e instanceof TypeError, "a TypeError");
      message = (e as Error).message;
    }
    expectEqual(message, "peer.endpoint: port 70000 out of range 1..65535", "message");
  });
}

/** A platform whose crypto is a deterministic stand-in: enough to construct a Device and walk
 *  the drop paths that come before any real cryptography, on an engine without natives. */
function stubPlatform(): Platform {
  function filled(n: number, v: number): Uint8Array {
    var b = new Uint8Array(n);
    for (var i = 0; i < n; i++) b[i] = v;
    return b;
  }
  var stored: { [k: string]: string } = {};
  return {
    crypto: {
      x25519: function () { return filled(32, 7); },
      x25519Base: function (k: Uint8Array) { var p = filled(32, 0); for (var i = 0; i < 32; i++) p[i] = k[i] ^ 0x5a; return p; },
      aeadSeal: function (_k: Uint8Array, _c: number, p: Uint8Array) { return filled(p.length + 16, 1); },
      aeadOpen: function () { return null; },
      xaeadSeal: function (_k: Uint8Array, _n: Uint8Array, p: Uint8Array) { return filled(p.length + 16, 1); },
      xaeadOpen: function () { return null; },
      blake2s: function (outLen: number) { return filled(outLen, 3); },
      hmacBlake2s: function () { return filled(32, 4); },
    },
    random: { randomBytes: function (n: number) { return filled(n, 9); } },
    clock: { nowMs: function () { return 1000; }, wallClockMs: function () { return null; } },
    store: { get: function (k: string) { return stored.hasOwnProperty(k) ? stored[k] : null; }, put: function (k: string, v: string) { stored[k] = v; } },
    io: { sendDatagram: function () {}, deliverToTunnel: function () {}, log: function () {} },
  };
}

var CONFIG_FOR_CHECKS = '{"privateKey":"AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=","address":"10.77.0.2/32",' +
  '"peer":{"publicKey":"AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=","endpoint":"192.0.2.1:51820","allowedIps":["10.77.0.0/24"]}}';

function deviceChecks(run: SelfTestRun): void {
  run.check("device: malformed datagrams are dropped and counted, never thrown", function () {
    var device = createDevice(CONFIG_FOR_CHECKS, stubPlatform());
    var from = { host: "192.0.2.1", port: 51820 };
    device.onDatagram(new Uint8Array(3), from);
    var wrongType = new Uint8Array(148);
    wrongType[0] = 9;
    device.onDatagram(wrongType, from);
    var transport = new Uint8Array(48);
    transport[0] = 4;
    device.onDatagram(transport, from);
    var initiation = new Uint8Array(148);
    initiation[0] = 1;
    device.onDatagram(initiation, from);
    var s = device.status();
    expectEqual(s.drops["bad-length"], 1, "bad-length");
    expectEqual(s.drops["bad-type"], 1, "bad-type");
    expectEqual(s.drops["unknown-receiver"], 1, "unknown-receiver");
    expectEqual(s.drops["bad-mac1"], 1, "bad-mac1");
    expectEqual(s.state, "idle", "state");
  });
  run.check("device: a config naming our own key as the peer's is refused", function () {
    var message = "";
    try {
      // x25519Base of the stub maps 0x01 bytes to 0x5b bytes: make the peer key exactly that.
      createDevice(CONFIG_FOR_CHECKS.replace("AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=", "W1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1tbW1s="), stubPlatform());
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.indexOf("peer.publicKey") === 0, "error names peer.publicKey, got \"" + message + "\"");
  });
}

/** Every self-check the bundle carries: {passed, failed, failures}. */
export function runSelfTests(): SelfTestResult {
  return runCoreSelfTests(function (run: SelfTestRun) {
    configChecks(run);
    deviceChecks(run);
  });
}
