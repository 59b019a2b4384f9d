// The platform-reply properties (test/fuzz/platform-replies.fuzz.ts) with a fixed seed inside
// `npm test` (the client property uses a real loopback server); `npm run fuzz` runs them longer.
import '../fuzz/platform-replies.fuzz.ts';
