// Can the interop suite run here? Exit 0 silently if yes; otherwise print the reason and exit 1.
// Also clears namespaces left behind by earlier runs of ours that were killed.
import { interopUnavailable, removeStaleNamespaces } from "./netns.ts";

const reason = await interopUnavailable();
if (reason) {
  console.log(reason);
  process.exit(1);
}
const removed = await removeStaleNamespaces();
if (removed.length) console.error(`interop: removed stale namespaces ${removed.join(" ")}`);
