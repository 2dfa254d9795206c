package dev.hearth.limits;

import java.util.function.BiConsumer;

/**
 * An admitted call's standing against its per-minute limit, for the {@code x-ratelimit-*} headers (SPEC §3.1):
 * the limit, the calls left right now, and the seconds until the bucket is full again. When the limiter
 * could not be asked (Redis down with {@code limits.fail_open: true}) only the limit is known.
 */
public record RateVerdict(long limit, long remaining, long resetSeconds) {

    static RateVerdict unknown(long limit) {
        return new RateVerdict(limit, -1, -1);
    }

    public boolean known() {
        return remaining >= 0;
    }

    /**
     * Writes the headers, e.g. {@code verdict.writeTo(res::header)} or {@code verdict.writeTo(apiException::header)}.
     * Limit and remaining go out in both spellings: {@code x-ratelimit-*} (GitHub's, OpenAI's) and
     * {@code x-rate-limit-*} (Segmind's, as in its {@code x-rate-limit-reset-at-utc}), so clients of either work.
     */
    public void writeTo(BiConsumer<String, String> header) {
        header.accept("x-ratelimit-limit", Long.toString(limit));
        header.accept("x-rate-limit-limit", Long.toString(limit));
        if (!known()) return;
        header.accept("x-ratelimit-remaining", Long.toString(remaining));
        header.accept("x-rate-limit-remaining", Long.toString(remaining));
        header.accept("x-ratelimit-reset", Long.toString(resetSeconds));
    }
}
