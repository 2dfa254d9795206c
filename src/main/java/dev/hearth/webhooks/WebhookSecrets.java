package dev.hearth.webhooks;

import dev.hearth.store.Database;
import org.jdbi.v3.core.Jdbi;

import java.time.Clock;

/** Each account's signing secret: created on first use, replaced by a rotation. */
public final class WebhookSecrets {

    private final Jdbi jdbi;
    private final Clock clock;

    public WebhookSecrets(Database db, Clock clock) {
        this.jdbi = db.jdbi();
        this.clock = clock;
    }

    public String secretOf(String accountId) {
        return jdbi.inTransaction(h -> h.createQuery("SELECT secret FROM webhook_secrets WHERE account_id = :a").bind("a", accountId)
                .mapTo(String.class).findOne().orElseGet(() -> {
                    String s = WebhookSigner.newSecret();
                    h.createUpdate("INSERT INTO webhook_secrets (account_id, secret, created_at) VALUES (:a, :s, :now)")
                            .bind("a", accountId).bind("s", s).bind("now", clock.millis()).execute();
                    return s;
                }));
    }

    public String rotate(String accountId) {
        String s = WebhookSigner.newSecret();
        jdbi.useTransaction(h -> {
            int n = h.createUpdate("UPDATE webhook_secrets SET secret = :s, created_at = :now WHERE account_id = :a")
                    .bind("a", accountId).bind("s", s).bind("now", clock.millis()).execute();
            if (n == 0) h.createUpdate("INSERT INTO webhook_secrets (account_id, secret, created_at) VALUES (:a, :s, :now)")
                    .bind("a", accountId).bind("s", s).bind("now", clock.millis()).execute();
        });
        return s;
    }
}
