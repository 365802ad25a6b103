// A real SMTP server for the e-mail test: node smtp.mjs <port>. Prints "listening" once ready, then one
// JSON line per mail received: {"from","to":[...],"data"} (data: the whole message as sent).
import { SMTPServer } from "smtp-server";

const port = Number(process.argv[2]);
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ["STARTTLS"],
  onData(stream, session, callback) {
    let data = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk) => (data += chunk));
    stream.on("end", () => {
      console.log(JSON.stringify({
        from: session.envelope.mailFrom && session.envelope.mailFrom.address,
        to: session.envelope.rcptTo.map((r) => r.address),
        data,
      }));
      callback();
    });
  },
});
server.listen(port, "127.0.0.1", () => console.log("listening"));
process.stdin.on("end", () => server.close(() => process.exit(0)));
process.stdin.resume();
