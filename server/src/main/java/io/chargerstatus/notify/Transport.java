package io.chargerstatus.notify;

import io.chargerstatus.notify.WebhookStore.Message;
import io.chargerstatus.notify.WebhookStore.Subscription;
import io.vertx.core.Future;

/** How a message reaches a subscriber: an HTTP POST, an e-mail, a channel's request. */
public interface Transport {
    /** Succeeds with the HTTP status (or 250 for mail) of a delivery; fails with a {@link Refused} otherwise. */
    Future<Integer> send(Subscription s, Message m);
}
