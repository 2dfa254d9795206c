package dev.hearth.limits;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One of an account's concurrent-job places, held from submit until the job is finished (done, failed or
 * canceled). {@link #release()} may be called any number of times and from any thread; only the first
 * counts. On Redis, a gateway that dies while holding slots stops renewing them and they lapse after
 * {@code limits.job_slot_lease_seconds}.
 */
public final class JobSlot implements AutoCloseable {

    private final String accountId;
    private final String requestId;
    private final Runnable onRelease;
    private final AtomicBoolean released = new AtomicBoolean();

    JobSlot(String accountId, String requestId, Runnable onRelease) {
        this.accountId = accountId;
        this.requestId = requestId;
        this.onRelease = onRelease;
    }

    /** A slot that counts nothing: admitted while the shared store was unreachable and limits fail open. */
    static JobSlot untracked(String accountId, String requestId) {
        return new JobSlot(accountId, requestId, () -> { });
    }

    public String accountId() {
        return accountId;
    }

    public String requestId() {
        return requestId;
    }

    public boolean released() {
        return released.get();
    }

    public void release() {
        if (released.compareAndSet(false, true)) onRelease.run();
    }

    @Override
    public void close() {
        release();
    }
}
