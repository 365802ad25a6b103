// Verifies, with the Standard Webhooks reference library, every webhook request a test recorded:
//   node verify.mjs <requests.json> <whsec_secret>
// requests.json: [{"headers":{"webhook-id":..,"webhook-timestamp":..,"webhook-signature":..},"body":"..."}].
// Prints "verified N" and exits 0 when every signature holds; exits 1 naming the first that does not.
import { readFileSync } from "node:fs";
import { Webhook } from "standardwebhooks";

const [file, secret] = process.argv.slice(2);
const requests = JSON.parse(readFileSync(file, "utf8"));
const wh = new Webhook(secret.replace(/^whsec_/, ""));
let n = 0;
for (const r of requests) {
  try {
    const payload = wh.verify(r.body, r.headers);
    if (typeof payload.type !== "string" || !("data" in payload)) {
      throw new Error("payload is not {type, timestamp, data}");
    }
    n++;
  } catch (e) {
    console.log(`refused ${r.headers["webhook-id"]}: ${e.message}`);
    process.exit(1);
  }
}
console.log(`verified ${n}`);
