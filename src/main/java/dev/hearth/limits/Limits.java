package dev.hearth.limits;

import dev.hearth.billing.Money;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.config.HearthConfig;
import dev.hearth.http.ApiException;
import dev.hearth.limits.LimitBackend.BackendUnavailable;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * The limits of SPEC §5, checked on the request path: the per-minute model-call limit, the separate read
 * limit, the premium gate and the concurrent-job limit, each per account across all its keys (and across
 * all gateways when {@code limits.redis_url} is set). A refusal is an {@link ApiException} carrying its
 * status, headers and a message that names the limit and when it frees; nothing is held or charged.
 *
 * <p>A model call goes: authenticate → {@link #admitModelCall} → resolve → validate → {@link #checkPremium}
 * → {@link #acquireJobSlot} → hold. When the shared store cannot be reached, model calls are refused with
 * 503 (or let through unlimited with {@code limits.fail_open: true}); reads are always let through.
 */
public final class Limits implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Limits.class);
    private static final int MAX_CACHED_ACCOUNTS = 100_000;
    /** Retry-After of a concurrency refusal: a polling hint, since no one knows when a running job ends. */
    static final long CONCURRENCY_RETRY_SECONDS = 1;
    static final long UNAVAILABLE_RETRY_SECONDS = 2;

    private record Cached(AccountLimits limits, long expiresAtNanos) {
    }

    private final LimitsConfig config;
    private final Plans plans;
    private final Function<String, AccountLimits> lookup;
    private final LimitBackend backend;
    private final Clock clock;
    private final long cacheNanos;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final AtomicBoolean backendDown = new AtomicBoolean();

    Limits(LimitsConfig config, Plans plans, Function<String, AccountLimits> lookup, LimitBackend backend, Clock clock) {
        this.config = config;
        this.plans = plans;
        this.lookup = lookup;
        this.backend = backend;
        this.clock = clock;
        this.cacheNanos = config.accountCache().toNanos();
    }

    /** In memory, or on the Redis of {@code limits.redis_url}; never fails because Redis is down. */
    public static Limits start(HearthConfig cfg, LimitSettings settings) {
        LimitsConfig lc = LimitsConfig.from(cfg);
        Limits limits = new Limits(lc, settings.plans(), settings::load, backend(lc, null), Clock.systemUTC());
        log.info("limits kept in {}{}", limits.backend.describe(), lc.redis() ? (lc.failOpen() ? "; fail open" : "; fail closed") : "");
        return limits;
    }

    static LimitBackend backend(LimitsConfig lc, TimeMeter clock) {
        return lc.redis() ? new RedisBackend(lc.redisUrl(), lc.jobSlotLease(), clock)
                : new MemoryBackend(clock != null ? clock : TimeMeter.SYSTEM_NANOTIME);
    }

    /** Takes one model call from the account's per-minute budget; 429 when it is spent, 503 when it cannot be asked. */
    public RateVerdict admitModelCall(String accountId) {
        return admit(limitsOf(accountId), false);
    }

    /**
     * Takes one read (polling, status, credits, models, usage) from the account's separate read budget, so
     * reads never spend model calls. 429 when spent; let through when the shared store cannot be asked.
     */
    public RateVerdict admitRead(String accountId) {
        return admit(limitsOf(accountId), true);
    }

    private RateVerdict admit(AccountLimits l, boolean read) {
        long perMinute = read ? l.readRequestsPerMinute() : l.requestsPerMinute();
        ConsumptionProbe p;
        try {
            // The limit is part of the key: a changed limit starts a fresh bucket of the new size on every node.
            p = backend.tryConsume(config.keyPrefix() + (read ? "read:" : "rate:") + l.accountId() + ":" + perMinute, perMinute);
            backendAnswered();
        } catch (BackendUnavailable e) {
            backendFailed(e);
            if (read || config.failOpen()) return RateVerdict.unknown(perMinute);
            throw unavailable(e);
        }
        long reset = ceilSeconds(p.getNanosToWaitForReset());
        if (p.isConsumed()) return new RateVerdict(perMinute, p.getRemainingTokens(), reset);

        long wait = p.getNanosToWaitForRefill();
        long retry = Math.max(1, ceilSeconds(wait));
        Instant at = ceilToSecond(clock.instant().plusNanos(wait));
        String what = read ? "reads per minute " + l.source(l.overrides().readRequestsPerMinute() != null)
                : "model calls per minute " + l.source(l.overrides().requestsPerMinute() != null);
        ApiException e = new ApiException(429, "Rate limit reached: " + perMinute + " " + what + ", counted per account across all"
                + " its keys. The next one is allowed in " + retry + " s, at " + at + "; the full " + perMinute + " are back in " + reset + " s");
        new RateVerdict(perMinute, 0, reset).writeTo(e::header);
        return throwWith(e, retry, at);
    }

    /**
     * SPEC §5 premium gate: a premium model needs a paid plan or a balance of at least
     * {@code limits.premium_min_balance}; otherwise 403 naming the rule.
     *
     * @param balanceNanos the account's balance, paid plus free, in nano-dollars
     */
    public void checkPremium(ModelSpec model, String accountId, long balanceNanos) {
        if (!model.premium()) return;
        AccountLimits l = limitsOf(accountId);
        if (l.paid() || balanceNanos >= config.premiumMinBalance()) return;
        String paid = plans.paidNames().isEmpty() ? "" : " (" + String.join(", ", plans.paidNames()) + ")";
        throw ApiException.forbidden("Model '" + model.slug() + "' is a premium model: it needs a paid plan" + paid
                + " or a balance of at least $" + Money.format(config.premiumMinBalance()) + ". Account " + accountId + " is on plan '"
                + l.plan() + "' with a balance of $" + Money.format(balanceNanos)
                + "; add credits or ask the operator to move the account to a paid plan");
    }

    /**
     * Takes one of the account's concurrent-job places for {@code requestId} (asking twice for the same id
     * takes one place); 429 when they are all in use, 503 when the store cannot be asked. Release the slot
     * when the job is finished, whatever its outcome.
     */
    public JobSlot acquireJobSlot(String accountId, String requestId) {
        AccountLimits l = limitsOf(accountId);
        String key = config.keyPrefix() + "jobs:" + accountId;
        long held;
        try {
            held = backend.acquireSlot(key, requestId, l.concurrentJobs());
            backendAnswered();
        } catch (BackendUnavailable e) {
            backendFailed(e);
            if (config.failOpen()) return JobSlot.untracked(accountId, requestId);
            throw unavailable(e);
        }
        if (held > 0) return new JobSlot(accountId, requestId, () -> backend.releaseSlot(key, requestId));
        Instant at = clock.instant().plusSeconds(CONCURRENCY_RETRY_SECONDS).truncatedTo(ChronoUnit.SECONDS);
        ApiException e = new ApiException(429, "Concurrency limit reached: account " + accountId + " already has " + (-held)
                + (held == -1 ? " job" : " jobs") + " queued or running, the most " + l.source(l.overrides().concurrentJobs() != null)
                + " allows at once (" + l.concurrentJobs() + "). A place frees as soon as one of them finishes; retry then");
        return throwWith(e, CONCURRENCY_RETRY_SECONDS, at);
    }

    private static <T> T throwWith(ApiException e, long retryAfter, Instant at) {
        e.header("Retry-After", Long.toString(retryAfter));
        e.header("x-rate-limit-reset-at-utc", at.toString());
        throw e;
    }

    private ApiException unavailable(BackendUnavailable e) {
        return new ApiException(503, "Limits cannot be checked: " + e.getMessage() + ". Model calls are refused until it answers"
                + " again, so that no account can pass its limits (limits.fail_open is false). Nothing was run or charged; retry in a few seconds")
                .header("Retry-After", Long.toString(UNAVAILABLE_RETRY_SECONDS));
    }

    /** The account's plan and overrides, read at most once per {@code limits.account_cache_seconds} on this node. */
    public AccountLimits limitsOf(String accountId) {
        long now = System.nanoTime();
        Cached c = cache.get(accountId);
        if (c != null && now - c.expiresAtNanos < 0) return c.limits;
        AccountLimits l = lookup.apply(accountId);
        if (cache.size() >= MAX_CACHED_ACCOUNTS) cache.clear();
        cache.put(accountId, new Cached(l, now + cacheNanos));
        return l;
    }

    /** Drops the cached limits of an account whose plan or overrides just changed on this node. */
    public void forget(String accountId) {
        cache.remove(accountId);
    }

    public LimitsConfig config() {
        return config;
    }

    /** "memory" or "redis at host:port". */
    public String describe() {
        return backend.describe();
    }

    private void backendAnswered() {
        if (backendDown.get() && backendDown.compareAndSet(true, false)) log.info("limits: {} answers again", backend.describe());
    }

    private void backendFailed(BackendUnavailable e) {
        if (backendDown.compareAndSet(false, true)) {
            log.warn("limits: {}; model calls are {} until it answers again", e.getMessage(),
                    config.failOpen() ? "let through without limits (limits.fail_open)" : "refused with 503");
        }
    }

    static long ceilSeconds(long nanos) {
        return nanos <= 0 ? 0 : (nanos + 999_999_999L) / 1_000_000_000L;
    }

    private static Instant ceilToSecond(Instant t) {
        Instant s = t.truncatedTo(ChronoUnit.SECONDS);
        return s.equals(t) ? s : s.plusSeconds(1);
    }

    @Override
    public void close() {
        backend.close();
    }
}
