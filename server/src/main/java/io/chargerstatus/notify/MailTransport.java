package io.chargerstatus.notify;

import io.chargerstatus.infra.Config;
import io.chargerstatus.notify.WebhookStore.Message;
import io.chargerstatus.notify.WebhookStore.Subscription;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * A {@code mailto:} subscription's messages as e-mail, through the Vert.x Mail Client and SMTP_URL, from
 * SMTP_FROM. The message's webhook-id is its Message-ID, so a mail sent twice (an instance killed between
 * the send and its cursor write) is recognisably the same mail.
 */
final class MailTransport implements Transport {
    private final MailClient client;
    private final String from;

    MailTransport(Vertx vertx, Config.Notify settings) {
        this.client = settings.smtpUrl() == null ? null : MailClient.create(vertx, config(settings.smtpUrl()));
        this.from = settings.smtpFrom();
    }

    static MailConfig config(String smtpUrl) {
        URI uri = URI.create(smtpUrl);
        boolean ssl = "smtps".equalsIgnoreCase(uri.getScheme());
        MailConfig config = new MailConfig()
                .setHostname(uri.getHost())
                .setPort(uri.getPort() > 0 ? uri.getPort() : ssl ? 465 : 25)
                .setSsl(ssl)
                .setStarttls(ssl ? StartTLSOptions.DISABLED : StartTLSOptions.OPTIONAL)
                .setKeepAlive(true);
        if (uri.getRawUserInfo() != null) {
            String[] user = uri.getRawUserInfo().split(":", 2);
            config.setLogin(LoginOption.REQUIRED)
                    .setUsername(URLDecoder.decode(user[0], StandardCharsets.UTF_8))
                    .setPassword(user.length > 1 ? URLDecoder.decode(user[1], StandardCharsets.UTF_8) : "");
        } else {
            config.setLogin(LoginOption.DISABLED);
        }
        return config;
    }

    @Override
    public Future<Integer> send(Subscription s, Message m) {
        if (client == null) {
            return Future.failedFuture(new Refused(null, "SMTP_URL is not set"));
        }
        MailMessage mail = new MailMessage()
                .setFrom(from)
                .setTo(s.url().substring("mailto:".length()))
                .setSubject(subject(m))
                .setText(text(m))
                .setHeaders(MultiMap.caseInsensitiveMultiMap()
                        .add("Message-ID", "<" + m.id() + "@charger-status>")
                        .add("X-Charger-Status-Type", m.type()));
        return client.sendMail(mail)
                .recover(e -> Future.failedFuture(new Refused(null, "SMTP: " + e.getMessage())))
                .map(result -> 250);
    }

    /** "[charger-status] Offline opened: CP-1 (site hq)". */
    static String subject(Message m) {
        JsonObject i = m.json().getJsonObject("data");
        String what = i.getString("chargerId") != null
                ? i.getString("chargerId")
                        + (i.getInteger("connectorId") == null ? "" : " connector " + i.getInteger("connectorId"))
                : "site " + i.getString("siteId");
        String change = m.type().substring("incident.".length());
        return "[charger-status] " + i.getString("kind") + " " + change + ": " + what
                + (i.getString("siteId") != null && i.getString("chargerId") != null
                        ? " (site " + i.getString("siteId") + ")"
                        : "");
    }

    static String text(Message m) {
        JsonObject i = m.json().getJsonObject("data");
        StringBuilder b = new StringBuilder();
        b.append(subject(m).substring("[charger-status] ".length())).append("\n\n");
        line(b, "Incident", i.getString("id"));
        line(b, "Account", i.getString("accountId"));
        line(b, "Since", i.getString("startedAt"));
        line(b, "Opened", i.getString("openedAt"));
        line(b, "Back since", i.getString("backAt"));
        line(b, "Resolved", i.getString("resolvedAt"));
        line(b, "Status", i.getString("status"));
        line(b, "Fault code", i.getString("faultCode"));
        JsonArray chargers = i.getJsonArray("chargers");
        if (chargers != null) {
            line(
                    b,
                    "Chargers",
                    String.join(", ", chargers.stream().map(String::valueOf).toList()));
        }
        line(b, "Acknowledged by", i.getString("acknowledgedBy"));
        return b.toString();
    }

    private static void line(StringBuilder b, String label, String value) {
        if (value != null) {
            b.append(label).append(": ").append(value).append('\n');
        }
    }

    void close() {
        if (client != null) {
            client.close();
        }
    }
}
