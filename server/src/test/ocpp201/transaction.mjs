// An independent OCPP 2.0.1 charger (ocpp-rpc, strict mode) against the service: boot, an EVSE through a
// whole transaction, a fault with its code, and the service's own calls answered. Every message either way
// is validated against the official OCPP 2.0.1 schemas by ocpp-rpc; any violation fails the run.
// Usage: node transaction.mjs ws://127.0.0.1:PORT/ocpp CHARGER-ID
import { RPCClient } from "ocpp-rpc";

const [endpoint, identity] = process.argv.slice(2);
const failures = [];
const cli = new RPCClient({ endpoint, identity, protocols: ["ocpp2.0.1"], strictMode: true });
cli.on("strictValidationFailure", (e) => failures.push(`strict validation: ${e.error?.message ?? e}`));
const calls = [];
for (const method of ["TriggerMessage", "Reset", "ChangeAvailability", "RequestStartTransaction"]) {
  cli.handle(method, ({ params }) => {
    calls.push({ method, params });
    return { status: "Accepted" };
  });
}

const now = () => new Date().toISOString();
let seqNo = 0;
const tx = (eventType, chargingState, extra = {}) =>
  cli.call("TransactionEvent", {
    eventType,
    timestamp: now(),
    triggerReason: eventType === "Ended" ? "EVDeparted" : "ChargingStateChanged",
    seqNo: seqNo++,
    transactionInfo: { transactionId: "indep-tx-1", ...(chargingState ? { chargingState } : {}) },
    evse: { id: 1, connectorId: 1 },
    ...extra,
  });
const status = (connectorStatus) =>
  cli.call("StatusNotification", { timestamp: now(), connectorStatus, evseId: 1, connectorId: 1 });

try {
  await cli.connect();
  if (cli.protocol !== "ocpp2.0.1") throw new Error(`negotiated ${cli.protocol}`);
  const boot = await cli.call("BootNotification", {
    reason: "PowerUp",
    chargingStation: { vendorName: "Independent", model: "RPC-201", firmwareVersion: "9.9" },
  });
  if (boot.status !== "Accepted") throw new Error(`boot ${JSON.stringify(boot)}`);
  await cli.call("Heartbeat", {});
  await status("Available");
  await status("Occupied");
  const auth = await cli.call("Authorize", { idToken: { idToken: "INDEP-TAG", type: "ISO14443" } });
  if (auth.idTokenInfo.status !== "Accepted") throw new Error(`authorize ${JSON.stringify(auth)}`);
  const started = await tx("Started", "EVConnected", { idToken: { idToken: "INDEP-TAG", type: "ISO14443" } });
  if (started.idTokenInfo?.status !== "Accepted") throw new Error(`started ${JSON.stringify(started)}`);
  await tx("Updated", "Charging");
  await cli.call("MeterValues", { evseId: 1, meterValue: [{ timestamp: now(), sampledValue: [{ value: 1234.5 }] }] });
  await tx("Updated", "SuspendedEV");
  await tx("Updated", "SuspendedEVSE");
  await tx("Ended", null, { transactionInfo: { transactionId: "indep-tx-1", stoppedReason: "EVDisconnected" } });
  await status("Available");
  await cli.call("NotifyEvent", {
    generatedAt: now(),
    seqNo: 0,
    eventData: [{
      eventId: 1, timestamp: now(), trigger: "Delta", actualValue: "true", techCode: "E-7", techInfo: "overheat",
      component: { name: "ChargingStation" }, variable: { name: "Problem" }, eventNotificationType: "HardWiredNotification",
    }],
  });
  await status("Faulted");
  await cli.call("SecurityEventNotification", { type: "StartupOfTheDevice", timestamp: now() });
  await cli.call("FirmwareStatusNotification", { status: "Idle" });
  await cli.call("LogStatusNotification", { status: "Idle" });
  await cli.call("NotifyReport", { requestId: 1, generatedAt: now(), seqNo: 0 });
  const dt = await cli.call("DataTransfer", { vendorId: "Independent" });
  if (dt.status !== "UnknownVendorId") throw new Error(`data transfer ${JSON.stringify(dt)}`);
  // Give the service's calls (the Java test sends some while we wait) time to arrive: until told to stop.
  await new Promise((resolve) => process.stdin.once("data", resolve));
  console.log(JSON.stringify({ calls }));
} catch (e) {
  failures.push(String(e?.stack ?? e));
} finally {
  await cli.close({ awaitPending: true }).catch(() => {});
}
if (failures.length) console.error(failures.join("\n"));
process.exit(failures.length ? 1 : 0); // stdin, still open, would keep the process alive
