package io.chargerstatus.store;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * A follower of the history that one instance of a cluster runs at a time, behind a {@link LeasedCursor}: the
 * incident evaluator and the uptime roll-up. Every tick it takes one step (never two at once); a step that read
 * a full batch is followed at once by the next, so a follower that is behind catches up without waiting for
 * ticks. A stopping leader gives its lease up, so another instance takes over at once.
 */
public abstract class CursorFollower extends VerticleBase {
    private final long tickMs;
    private long timer;
    private boolean running;
    /** Whether this instance held the cursor at its last step. */
    protected boolean leader;

    protected CursorFollower(long tickMs) {
        this.tickMs = tickMs;
    }

    /** What the follower needs before its first step (its store, its meters). */
    protected abstract void prepare();

    /** One step: true when it read a full batch (there is more history to catch up with). */
    protected abstract Future<Boolean> step();

    /** A step failed; the next tick tries again. */
    protected abstract void failed(Throwable cause);

    /** Gives the lease up (the follower is leader and stopping). */
    protected abstract Future<?> release();

    /** After every step that succeeded. */
    protected Future<?> afterStep() {
        return Future.succeededFuture();
    }

    @Override
    public final Future<?> start() {
        prepare();
        timer = vertx.setPeriodic(tickMs, t -> next());
        return Future.succeededFuture();
    }

    @Override
    public final Future<?> stop() {
        vertx.cancelTimer(timer);
        return leader ? release().recover(e -> Future.succeededFuture()) : Future.succeededFuture();
    }

    private void next() {
        if (running) {
            return;
        }
        running = true;
        step().onComplete(ar -> {
                    running = false;
                    if (ar.failed()) {
                        failed(ar.cause());
                    } else if (ar.result()) {
                        vertx.runOnContext(v -> next());
                    }
                })
                .compose(v -> afterStep());
    }
}
