package dev.hearth.limits;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Buckets and job sets in this process: exact for one gateway, and the default. Buckets that have refilled
 * to full are dropped once a minute (a full bucket and a new one are the same), so memory follows the
 * accounts active in the last minute or so. Consuming and dropping both go through the map's per-key lock,
 * so a call never takes a token from a bucket that is being dropped.
 */
final class MemoryBackend implements LimitBackend {

    private record Entry(Bucket bucket, long capacity) {
    }

    private final TimeMeter clock;
    private final Map<String, Entry> buckets = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> jobs = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;

    MemoryBackend(TimeMeter clock) {
        this.clock = clock;
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("hearth-limits-sweeper").unstarted(r));
        sweeper.scheduleWithFixedDelay(this::dropFullBuckets, 1, 1, TimeUnit.MINUTES);
    }

    @Override
    public ConsumptionProbe tryConsume(String key, long perMinute) {
        ConsumptionProbe[] probe = new ConsumptionProbe[1];
        buckets.compute(key, (k, e) -> {
            if (e == null) {
                e = new Entry(Bucket.builder().addLimit(LimitBackend.bandwidth(perMinute))
                        .withCustomTimePrecision(clock).build(), perMinute);
            }
            probe[0] = e.bucket.tryConsumeAndReturnRemaining(1);
            return e;
        });
        return probe[0];
    }

    void dropFullBuckets() {
        for (String key : buckets.keySet()) {
            buckets.computeIfPresent(key, (k, e) -> e.bucket.getAvailableTokens() >= e.capacity ? null : e);
        }
    }

    int bucketCount() {
        return buckets.size();
    }

    @Override
    public long acquireSlot(String key, String member, int limit) {
        long[] held = new long[1];
        jobs.compute(key, (k, set) -> {
            if (set == null) set = new HashSet<>();
            if (set.contains(member) || set.size() < limit) {
                set.add(member);
                held[0] = set.size();
            } else {
                held[0] = -set.size();
            }
            return set;
        });
        return held[0];
    }

    @Override
    public void releaseSlot(String key, String member) {
        jobs.computeIfPresent(key, (k, set) -> {
            set.remove(member);
            return set.isEmpty() ? null : set;
        });
    }

    @Override
    public String describe() {
        return "memory";
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
