// Firmware entry of the image with the deep-sleep mode (bundled by `scripts/bundle.ts --entry
// app/firmware-sleep-main`): firmware-main's entry points, plus the sensor app's deep-sleep mode
// (sleep.ts) and the SensorDevice it runs on. A separate image because the QEMU board's Duktape
// compiles the whole bundle into its heap and has no room for both (boards/qemu-xtensa/README.md).

import * as base from "./firmware-main";
import { SleepingSensor } from "./sleep";
import { SensorDevice } from "../wireguard/sensordevice";

base.useSleepMode({
  start: function (id, config, platform) {
    var device = new SensorDevice({ privateKey: id.privateKey, publicKey: id.publicKey, staticStaticOnFirstUse: true, peer: config.peer }, platform);
    var sleeper = new SleepingSensor(device, platform, config.app!, function (ms) { hw.deepSleep(ms); });
    return {
      device: device,
      tick: function () { sleeper.tick(); },
      statusLine: function () { return sleeper.statusLine(); },
    };
  },
});

// The runtime's entry points (firmware/runtime/runtime.h), as plain properties of the global.
export var identity = base.identity;
export var publicKey = base.publicKey;
export var enroll = base.enroll;
export var main = base.main;
export var onDatagram = base.onDatagram;
export var onTunnelPacket = base.onTunnelPacket;
export var onNetworkChange = base.onNetworkChange;
export var tick = base.tick;
export var logStatus = base.logStatus;
export var status = base.status;
