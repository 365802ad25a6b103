package io.chargerstatus.engine;

import io.chargerstatus.bus.Bus;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import java.time.Clock;

/**
 * The back office's changes to the chargers (added, changed, removed), applied by the status engine in its
 * queue, between two batches, so that no batch writes a charger being removed. Answers the request with the
 * result, or with the failure code of {@link Bus.Failure#ofStore} (a duplicate, an unknown account or site).
 */
final class ChargerRegistry {
    private final EventBus bus;
    private final EngineStore store;
    private final ChargerOwnership owned;
    private final Clock clock;

    ChargerRegistry(EventBus bus, EngineStore store, ChargerOwnership owned, Clock clock) {
        this.bus = bus;
        this.store = store;
        this.owned = owned;
        this.clock = clock;
    }

    Future<?> apply(Message<Object> message) {
        Object body = message.body();
        Future<?> result;
        if (body instanceof Bus.AddCharger add) {
            result = store.insertCharger(add, clock.instant());
        } else if (body instanceof Bus.RemoveCharger remove) {
            result = store.deleteCharger(remove.chargerId(), remove.purge(), clock.instant())
                    .onSuccess(removed -> {
                        owned.forget(remove.chargerId());
                        if (removed) {
                            bus.publish(Bus.CHARGER_REMOVED, remove.chargerId());
                        }
                    });
        } else if (body instanceof Bus.UpdateCharger update) {
            result = store.updateCharger(update).onSuccess(updated -> {
                if (updated && update.siteSet()) {
                    bus.publish(Bus.CHARGER_UPDATED, update.chargerId()); // its holder reloads it
                }
            });
        } else {
            result = Future.failedFuture(
                    "unexpected registry message " + body.getClass().getSimpleName());
        }
        return result.onComplete(ar -> {
            if (ar.succeeded()) {
                message.reply(ar.result());
            } else {
                Bus.Failure failure = Bus.Failure.ofStore(ar.cause());
                message.fail(
                        failure.code(),
                        switch (failure) {
                            case CONFLICT -> "already exists";
                            case UNKNOWN_REFERENCE -> "unknown account or site";
                            default -> String.valueOf(ar.cause().getMessage());
                        });
            }
        });
    }
}
