package io.chargerstatus.notify;

import io.chargerstatus.notify.WebhookStore.Message;
import io.chargerstatus.notify.WebhookStore.Subscription;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * A kind of subscription beside webhooks and e-mail, told apart by its url's scheme (OCPI partners:
 * {@code ocpi:<party>}): what such a subscription is owed and how a message reaches it. It rides on the
 * deliverers' leases, cursors, retries and log; it only decides the messages and their transport.
 */
public interface Channel extends Transport {
    /** Makes the channel of one deliverer, on its event loop. */
    interface Factory {
        Channel create(Vertx vertx);
    }

    /** What one subscription is owed, in order; one per runner (it may keep state between its fetches). */
    interface Source {
        /**
         * The next messages after the two cursors. A message of type {@link WebhookStore#SKIP} is not sent: it
         * only moves the cursor past history the subscription needs nothing from.
         */
        Future<List<Message>> owed(long statusSeq, long secondSeq, int limit);

        /**
         * Messages of one key are sent in order, one at a time; messages of distinct keys may be in flight
         * together, up to {@link #window}. Null: the message goes alone, after every earlier one and before
         * every later one.
         */
        default String orderKey(Message m) {
            return null;
        }

        /** How many messages of distinct keys may be in flight at once. */
        default int window() {
            return 1;
        }
    }

    /** The url prefix of its subscriptions. */
    String scheme();

    Source open(Subscription s);

    void close();

    /** Drops what no subscription of this channel can still be owed; called now and then by every deliverer. */
    default Future<Void> prune() {
        return Future.succeededFuture();
    }

    /** Whether an url is of this channel. */
    default boolean owns(String url) {
        return url.startsWith(scheme());
    }

    /** Convenience for a channel's list of messages. */
    static Future<List<Message>> none() {
        return Future.succeededFuture(List.of());
    }
}
