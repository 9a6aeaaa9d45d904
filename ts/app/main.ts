// Firmware entry: what the bundle (build/homewire.js) exposes as the global `homewire`.
// For now the config parser and the self-checks; the firmware runtime comes in a later issue.

import { parseDeviceConfig, parseEndpoint, parseInterfaceAddress } from "./config";
import { runSelfTests as runCoreSelfTests, SelfTestRun, SelfTestResult, expect, expectEqual } from "../wireguard/selftest";

export { parseDeviceConfig, parseEndpoint, parseInterfaceAddress };
export { encodeBase64, decodeBase64 } from "../wireguard/base64";

export var VERSION = "0.1.0";

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

/** Every self-check the bundle carries: {passed, failed, failures}. */
export function runSelfTests(): SelfTestResult {
  return runCoreSelfTests(configChecks);
}
