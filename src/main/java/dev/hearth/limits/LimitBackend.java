package dev.hearth.limits;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;

import java.time.Duration;

/**
 * Where buckets and job counts live: this process's memory, or Redis shared by every gateway. Both give the
 * same answers for the same calls; the tests run each behaviour against both.
 */
interface LimitBackend extends AutoCloseable {

    /** Takes one token from the bucket {@code key}: {@code perMinute} tokens at most, refilled continuously. */
    ConsumptionProbe tryConsume(String key, long perMinute) throws BackendUnavailable;

    /**
     * Adds {@code member} to the job set {@code key} if it holds fewer than {@code limit}; a member already in
     * the set is admitted again (idempotent by request id). Returns how many jobs the set holds afterwards,
     * or the negative count when refused.
     */
    long acquireSlot(String key, String member, int limit) throws BackendUnavailable;

    /** Removes {@code member} from the job set; never throws (a slot that cannot be removed lapses by its lease). */
    void releaseSlot(String key, String member);

    /** "memory" or "redis at host:port", for logs and errors. */
    String describe();

    @Override
    void close();

    /** A bucket as big as a minute's allowance, refilled greedily: one token every 60/perMinute seconds. */
    static Bandwidth bandwidth(long perMinute) {
        return Bandwidth.builder().capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)).build();
    }

    static BucketConfiguration bucket(long perMinute) {
        return BucketConfiguration.builder().addLimit(bandwidth(perMinute)).build();
    }

    /** The shared store could not answer; the message says why and is safe to show a client. */
    final class BackendUnavailable extends Exception {
        BackendUnavailable(String message, Throwable cause) {
            super(message, cause, false, false);
        }
    }
}
