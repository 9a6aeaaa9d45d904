// The enrolled config (CONSOLE.md): the device config without its private key, plus the sensor
// app's options and Wi-Fi credentials. The host checks it with the device's own parsers
// (ts/app/config.ts, ts/app/sensor.ts) before it goes down the wire.
//
// Interim: until ts/app/config.ts exports the enrolled-form parser the device uses
// (parseEnrolledConfig, being added on main), this wraps parseDeviceConfig with a placeholder key
// and parseSensorOptions; the Wi-Fi checks here move there with it. Errors keep the device's form:
// a TypeError "field.path: what is wrong".
import { parseDeviceConfig, type ParsedDeviceConfig } from "../app/config.ts";
import { parseSensorOptions, type SensorOptions } from "../app/sensor.ts";
import { wipe } from "../wireguard/bytes.ts";

export interface EnrolledConfig {
  config: Omit<ParsedDeviceConfig, "privateKey">;
  app: SensorOptions | null;
  wifi: { ssid: string; password: string } | null;
  newKey: boolean;
}

// Stands in for the device's key so the device-config parser can check everything else.
const PLACEHOLDER_KEY = Buffer.alloc(32, 1).toString("base64");

function fail(field: string, message: string): never {
  throw new TypeError(field + ": " + message);
}

function parseWifi(v: unknown): { ssid: string; password: string } {
  if (typeof v !== "object" || v === null || Array.isArray(v)) fail("wifi", "expected an object {\"ssid\", \"password\"}");
  const w = v as Record<string, unknown>;
  for (const k of Object.keys(w)) if (k !== "ssid" && k !== "password") fail("wifi." + k, "unknown field (expected one of ssid, password)");
  if (typeof w.ssid !== "string") fail("wifi.ssid", "required, a string");
  const ssidBytes = Buffer.byteLength(w.ssid, "utf8");
  if (ssidBytes < 1 || ssidBytes > 32) fail("wifi.ssid", `${ssidBytes} bytes; an SSID is 1..32 bytes`);
  if (typeof w.password !== "string") fail("wifi.password", "required, a string (empty for an open network)");
  // WPA2-PSK: a passphrase of 8..63 printable ASCII characters, or the 64-hex-digit key itself.
  const p = w.password;
  if (p !== "" && !(/^[\x20-\x7e]{8,63}$/.test(p) || /^[0-9a-fA-F]{64}$/.test(p))) {
    fail("wifi.password", `${p.length} characters; expected 8..63 printable ASCII characters, 64 hex digits, or empty for an open network`);
  }
  return { ssid: w.ssid, password: p };
}

/** Parses and checks an enrolled config JSON; throws a TypeError naming the bad field. */
export function parseEnrolled(json: string): EnrolledConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    fail("config", "not valid JSON");
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) fail("config", "expected a JSON object");
  const { app, wifi, newKey, ...device } = raw as Record<string, unknown>;
  if ("privateKey" in device) fail("privateKey", "not part of an enrolled config: the key is born on the device and never leaves it");
  if (newKey !== undefined && typeof newKey !== "boolean") fail("newKey", "expected true or false");
  const parsed = parseDeviceConfig(JSON.stringify({ ...device, privateKey: PLACEHOLDER_KEY }));
  const { privateKey, ...config } = parsed;
  wipe(privateKey);
  let sensor: SensorOptions | null = null;
  if (app !== undefined) {
    if (typeof app !== "object" || app === null || Array.isArray(app)) fail("app", "expected an object");
    sensor = parseSensorOptions(JSON.stringify(app));
  }
  return { config, app: sensor, wifi: wifi === undefined ? null : parseWifi(wifi), newKey: newKey === true };
}
