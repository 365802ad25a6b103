package io.chargerstatus.testkit;

/** Waiting for what the service does after the test's side is done: a condition, with a generous deadline. */
public final class Await {
    private Await() {}

    /**
     * Retries an assertion until it holds. The deadline is generous (a loaded 2-core CI machine); a passing
     * assertion returns at once, so nothing waits longer than the service takes.
     */
    public static void eventually(Runnable assertion) throws InterruptedException {
        eventually(assertion, 30);
    }

    public static void eventually(Runnable assertion, int seconds) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                if (System.currentTimeMillis() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }
}
