// device.test.ts again, with every node on the optional per-packet natives (Crypto.openTransport,
// Io.sendTransport, Io.deliverPrefixToTunnel, as the firmware has them; written in TS from the
// platform contract in harness.test.ts): the same behaviour on both paths.
import { useTransportNatives } from "./harness.test.ts";

useTransportNatives(true);
await import("./device.test.ts");
