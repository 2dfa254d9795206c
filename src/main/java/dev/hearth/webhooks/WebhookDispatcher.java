package dev.hearth.webhooks;

import dev.hearth.store.Database;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Delivers webhooks durably: a delivery is a row first, so a restart resumes it. A background loop sends
 * due deliveries, signed with the account's current secret; a 2xx answer ends it, anything else schedules a
 * retry with exponential backoff until the retry window (default one hour) has passed. Every attempt is
 * recorded with its status code or error.
 */
public final class WebhookDispatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    private final Jdbi jdbi;
    private final WebhookSecrets secrets;
    private final WebhookTransport transport;
    private final Clock clock;
    private final long firstBackoffMillis;
    private final long windowMillis;
    private final Thread loop;
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    private final Object wake = new Object();
    private volatile boolean running = true;

    public WebhookDispatcher(Database db, WebhookSecrets secrets, WebhookTransport transport, Clock clock,
                             long firstBackoffMillis, long windowMillis) {
        this.jdbi = db.jdbi();
        this.secrets = secrets;
        this.transport = transport;
        this.clock = clock;
        this.firstBackoffMillis = firstBackoffMillis;
        this.windowMillis = windowMillis;
        this.loop = Thread.ofPlatform().daemon().name("hearth-webhooks").start(this::run);
    }

    /** Queues a delivery of {@code body} to {@code url}; returns the delivery (webhook) id. */
    public String enqueue(String accountId, String requestId, String url, String body) {
        String id = jdbi.withHandle(h -> enqueue(h, accountId, requestId, url, body));
        wake();
        return id;
    }

    /** Sends what was queued in a transaction now, rather than at the next scan. */
    public void wake() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /**
     * Queues a delivery inside the caller's transaction, so that it exists exactly when what it reports was
     * committed; the loop finds it at its next scan (within 200 ms).
     */
    public String enqueue(Handle h, String accountId, String requestId, String url, String body) {
        String id = "msg_" + UUID.randomUUID().toString().replace("-", "");
        long now = clock.millis();
        h.createUpdate("INSERT INTO webhook_deliveries (id, account_id, request_id, url, body, status, attempts, "
                        + "next_attempt_at, give_up_at, created_at) VALUES (:id, :acc, :req, :url, :body, 'PENDING', 0, :now, :giveUp, :now)")
                .bind("id", id).bind("acc", accountId).bind("req", requestId).bind("url", url).bind("body", body)
                .bind("now", now).bind("giveUp", now + windowMillis).execute();
        return id;
    }

    private record Due(String id, String accountId, String url, String body, int attempts, long giveUpAt) {
    }

    private void run() {
        while (running) {
            try {
                List<Due> due = jdbi.withHandle(h -> h.createQuery("SELECT id, account_id, url, body, attempts, give_up_at FROM webhook_deliveries "
                                + "WHERE status = 'PENDING' AND next_attempt_at <= :now ORDER BY next_attempt_at LIMIT 100")
                        .bind("now", clock.millis())
                        .map((rs, c) -> new Due(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getInt(5), rs.getLong(6)))
                        .list());
                for (Due d : due) {
                    // claim it for this attempt so the next scan does not send it twice while it is in flight
                    int claimed = jdbi.withHandle(h -> h.createUpdate("UPDATE webhook_deliveries SET next_attempt_at = :later "
                                    + "WHERE id = :id AND status = 'PENDING' AND attempts = :n")
                            .bind("later", clock.millis() + 60_000).bind("id", d.id).bind("n", d.attempts).execute());
                    if (claimed == 1) senders.submit(() -> attempt(d));
                }
                synchronized (wake) {
                    wake.wait(200);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                log.warn("webhook loop: {}", e.toString());
            }
        }
    }

    private void attempt(Due d) {
        long started = clock.millis();
        Integer code = null;
        String error = null;
        try {
            long ts = started / 1000;
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("webhook-id", d.id);
            headers.put("webhook-timestamp", Long.toString(ts));
            headers.put("webhook-signature", WebhookSigner.sign(secrets.secretOf(d.accountId), d.id, ts, d.body));
            code = transport.post(d.url, headers, d.body);
        } catch (Exception e) {
            error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        boolean ok = code != null && code >= 200 && code < 300;
        long now = clock.millis();
        int attempts = d.attempts + 1;
        long next = now + firstBackoffMillis * (1L << Math.min(attempts - 1, 20));
        String status = ok ? "DELIVERED" : next > d.giveUpAt ? "FAILED" : "PENDING";
        Integer c = code;
        String err = error;
        jdbi.useTransaction(h -> {
            h.createUpdate("INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, error, duration_ms) VALUES (:d, :at, :c, :e, :ms)")
                    .bind("d", d.id).bind("at", started).bind("c", c).bind("e", err).bind("ms", now - started).execute();
            h.createUpdate("UPDATE webhook_deliveries SET status = :s, attempts = :n, next_attempt_at = :next WHERE id = :id")
                    .bind("s", status).bind("n", attempts).bind("next", next).bind("id", d.id).execute();
        });
        if (!ok) log.info("webhook {} to {} failed (attempt {}, {}): {}", d.id, d.url, attempts, status, code != null ? "HTTP " + code : error);
    }

    /** A delivery's attempts, oldest first: status codes (null when no answer came). */
    public List<Integer> attemptCodes(String deliveryId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT status_code FROM webhook_attempts WHERE delivery_id = :d ORDER BY id")
                .bind("d", deliveryId).mapTo(Integer.class).list());
    }

    @Override
    public void close() {
        running = false;
        loop.interrupt();
        senders.shutdownNow();
    }
}
