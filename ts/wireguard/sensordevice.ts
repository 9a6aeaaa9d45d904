// A Device for a battery sensor on real networks: its session survives a sleep with RAM off
// (exportSession / importSession through Platform.retained, the record in session.ts), and its
// endpoint can be set from outside (EndpointDevice, for NamedEndpoint's DNS lookups in
// endpointname.ts). A subclass in its own file, so a firmware image that does not use these does
// not carry them: the QEMU board compiles the bundle into a 256 KiB heap that is nearly full.

import type { Platform, Retained } from "../platform/platform";
import { LOG_INFO, LOG_WARN } from "../platform/platform";
import { wipe } from "./bytes";
import { REJECT_AFTER_TIME } from "./constants";
import type { DeviceConfig } from "./device";
import { EndpointDevice } from "./endpointdevice";
import { Keypair } from "./keypair";
import { RestoredReplayWindow, SESSION_SIZE, SleepTimers, decodeSession, encodeSession, sessionTagKey } from "./session";

export class SensorDevice extends EndpointDevice {
  /** The key of the tag that binds a record to our key and the peer's. */
  private tagKey: Uint8Array;

  private sleepTimers: SleepTimers;

  constructor(config: DeviceConfig, platform: Platform) {
    super(config, platform);
    this.tagKey = sessionTagKey(this.crypto, this.localPublic, config.peer.publicKey);
    // Nothing is armed yet: the Device's timers are swapped for ones that know about sleep.
    this.sleepTimers = new SleepTimers(platform.random, (config.peer.persistentKeepalive || 0) * 1000);
    this.timers = this.sleepTimers;
  }

  // ---- deep sleep -----------------------------------------------------------------------------

  /**
   * Before a sleep with RAM off: hands the current session to the platform's retained region
   * (session.ts), then forgets everything here (keys wiped, timers off, a handshake in flight
   * dropped, staged packets counted as tx-suspended), so nothing is sent or accepted on that
   * keypair after its record was written. Returns the record's size, or 0 if there was no
   * session worth keeping (the region is then erased: no old keys linger in it). Throws if the
   * platform has no retained region or the write fails; the device is then left as it was.
   */
  exportSession(): number {
    var retained = this.retainedRegion();
    var now = this.clock.nowMs();
    var kp = this.keypairs.current;
    var record: Uint8Array;
    if (kp === null || !kp.canSend(now)) {
      record = new Uint8Array(0);
    } else {
      var deadlines = this.sleepTimers.sleepDeadlines();
      record = encodeSession(this.crypto, this.tagKey, {
        isInitiator: kp.isInitiator,
        sentLastMinuteHandshake: this.sentLastMinuteHandshake,
        endpoint: this.endpoint,
        localIndex: kp.localIndex,
        remoteIndex: kp.remoteIndex,
        sendKey: kp.sendKey,
        recvKey: kp.recvKey,
        savedAtMs: now,
        savedAtWallMs: this.clock.wallClockMs(),
        created: kp.created,
        sendCounter: kp.sendCounter,
        recvWindowTop: kp.replay.top(),
        lastHandshakeMs: this.lastHandshakeMs,
        lastSentHandshake: this.lastSentHandshake,
        zeroKeysAt: deadlines.zeroKeysAt,
        persistentAt: deadlines.persistentAt,
      });
    }
    try {
      retained.write(record);
    } finally {
      wipe(record);
    }
    this.keypairs.clear();
    this.handshake.clear();
    this.timers.stopAll();
    this.drops.addMany("tx-suspended", this.staging.clear());
    this.log(LOG_INFO, record.length > 0 ? "session handed to the retained region (" + record.length + " bytes)" : "no session to keep; retained region erased");
    return record.length;
  }

  /**
   * After a wake: takes back the session exportSession left in the retained region. The record
   * is erased durably before the keypair is used, so it is resumed at most once, whatever
   * happens next. Returns null when resumed, else why not: "busy" (this device already has a
   * session or handshake), "empty", "bad-size", "bad-version", "bad-tag", "bad-field",
   * "clock-went-back" or "clock-mismatch" (nowMs() did not keep counting across the sleep),
   * "expired" (REJECT_AFTER_TIME passed), "retained-write-failed". Without a session the device
   * handshakes as usual when there is something to send. Throws if the platform has no region.
   */
  importSession(): string | null {
    var retained = this.retainedRegion();
    if (this.keypairs.current !== null || this.keypairs.next !== null || this.timers.wantRetransmit()) return "busy";
    var bytes = retained.read();
    var state = decodeSession(this.crypto, this.tagKey, bytes);
    if (typeof state === "string") {
      if (state !== "empty") this.eraseRetained(retained, state);
      return state;
    }
    var now = this.clock.nowMs();
    var wall = this.clock.wallClockMs();
    var why: string | null = null;
    if (now < state.savedAtMs) why = "clock-went-back";
    else if (state.savedAtWallMs !== null && wall !== null && Math.abs((wall - state.savedAtWallMs) - (now - state.savedAtMs)) > 2000) why = "clock-mismatch";
    else if (now - state.created >= REJECT_AFTER_TIME) why = "expired";
    if (why === null) {
      try {
        retained.write(new Uint8Array(0));
      } catch (e) {
        why = "retained-write-failed";
      }
    } else {
      this.eraseRetained(retained, why);
    }
    if (why !== null) {
      wipe(state.sendKey);
      wipe(state.recvKey);
      return why;
    }
    var kp = new Keypair({
      sendKey: state.sendKey, recvKey: state.recvKey, isInitiator: state.isInitiator,
      localIndex: state.localIndex, remoteIndex: state.remoteIndex,
    }, state.created);
    kp.sendCounter = state.sendCounter;
    kp.replay = new RestoredReplayWindow(state.recvWindowTop);
    this.keypairs.current = kp; // the slots are empty: "busy" above
    if (state.endpoint !== null) this.endpoint = state.endpoint;
    this.lastHandshakeMs = state.lastHandshakeMs;
    this.lastSentHandshake = state.lastSentHandshake;
    this.sentLastMinuteHandshake = state.sentLastMinuteHandshake;
    this.sleepTimers.resumeDeadlines(state.zeroKeysAt, state.persistentAt, now);
    this.log(LOG_INFO, "session resumed from the retained region (" + Math.floor((now - state.created) / 1000) + " s old)");
    return null;
  }

  private retainedRegion(): Retained {
    var retained = this.platform.retained;
    if (!retained) throw new Error("this platform has no retained region for a session");
    if (retained.capacity < SESSION_SIZE) throw new Error("retained region holds " + retained.capacity + " bytes, a session needs " + SESSION_SIZE);
    return retained;
  }

  /** A record that will not be resumed must not keep its keys around. */
  private eraseRetained(retained: Retained, why: string): void {
    try {
      retained.write(new Uint8Array(0));
    } catch (e) {
      this.log(LOG_WARN, "could not erase the retained session (" + why + ")");
    }
  }
}
