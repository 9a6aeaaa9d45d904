// Protocol constants, named as in the WireGuard whitepaper (section 6.1), plus the
// implementation limits homewire chooses. Times are milliseconds.

export const REKEY_AFTER_MESSAGES = 1152921504606846976; // 2^60 (exact as a double)
/** The whitepaper's 2^64 - 2^13 - 1 is above 2^53, where JS numbers stop being exact.
 *  homewire keeps counters as numbers and so rejects from 2^53 - 1 on: stricter, never looser. */
export const REJECT_AFTER_MESSAGES = 9007199254740991; // 2^53 - 1
export const REKEY_AFTER_TIME = 120000;
export const REJECT_AFTER_TIME = 180000;
export const REKEY_ATTEMPT_TIME = 90000;
export const REKEY_TIMEOUT = 5000;
export const KEEPALIVE_TIMEOUT = 10000;
export const COOKIE_REFRESH_TIME = 120000;
/** Jitter added to each handshake retransmission (whitepaper: up to 333 ms). */
export const REKEY_TIMEOUT_JITTER_MAX = 333;

/** Inner MTU of the tunnel interface (1500 - 80 bytes of outer IPv6/UDP/WireGuard overhead). */
export const TUNNEL_MTU = 1420;
