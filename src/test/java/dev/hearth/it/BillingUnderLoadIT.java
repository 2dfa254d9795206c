package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.billing.Balance;
import dev.hearth.billing.EntryKind;
import dev.hearth.billing.Money;
import dev.hearth.it.HearthServer.Reply;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exact billing under concurrency, on SQLite and on PostgreSQL: 40 simultaneous calls from an account whose
 * balance pays for exactly 10. Holds make the balance check atomic, so exactly 10 run and 30 get 406; the
 * balance ends at zero, never below, and equals grants minus posted charges in the ledger.
 */
class BillingUnderLoadIT {

    @ParameterizedTest
    @EnumSource(HearthServer.Store.class)
    void fortyConcurrentCallsWithCreditsForTenChargeExactlyTen(HearthServer.Store store) throws Exception {
        try (HearthServer server = HearthServer.start(store)) {
            JsonNode acc = server.createAccount("load", "enterprise", "0");
            String accountId = acc.get("account_id").asText();
            String key = acc.get("api_key").asText();
            // $0.0001 per text: $0.001 pays for exactly ten calls
            assertThat(server.grant(accountId, "0.001", "paid", "load-test").status()).isEqualTo(200);
            // boot the model first so every call competes for credits, not for the boot
            String warmKey = server.createAccount("warm-up", "pro", "1").get("api_key").asText();
            assertThat(server.post("/v1/bge-small-en-v1.5", warmKey, "{\"text\": \"warm up\"}").status()).isEqualTo(200);

            int calls = 40;
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Reply>> replies = new ArrayList<>();
            try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < calls; i++) {
                    int n = i;
                    replies.add(clients.submit(() -> {
                        go.await();
                        return server.post("/v1/bge-small-en-v1.5", key, "{\"text\": \"concurrent call number " + n + "\"}");
                    }));
                }
                go.countDown();
            }
            int ok = 0, refused = 0;
            BigDecimal charged = BigDecimal.ZERO;
            for (Future<Reply> f : replies) {
                Reply r = f.get();
                if (r.status() == 200) {
                    ok++;
                    charged = charged.add(new BigDecimal(r.header("x-cost")));
                    assertThat(new BigDecimal(r.header("x-remaining-credits"))).isGreaterThanOrEqualTo(BigDecimal.ZERO);
                } else {
                    assertThat(r.status()).as(r.body()).isEqualTo(406);
                    assertThat(r.json().get("error").asText()).contains("Insufficient credits");
                    refused++;
                }
            }
            assertThat(ok).isEqualTo(10);
            assertThat(refused).isEqualTo(30);
            assertThat(charged).isEqualByComparingTo("0.001");

            Balance b = server.app.ledger.balance(accountId);
            assertThat(b.paid()).isZero();
            assertThat(b.free()).isZero();
            assertThat(b.held()).isZero();
            // grants − posted charges, from the append-only ledger, equals the balance
            assertThat(server.app.ledger.ledgerSum(accountId)).isEqualTo(b.total());
            long charges = server.app.ledger.entries(accountId, 100).stream().filter(e -> e.kind() == EntryKind.CHARGE).count();
            assertThat(charges).isEqualTo(10);
            JsonNode credits = server.get("/v1/get-user-credits", key).json();
            assertThat(credits.get("credits").decimalValue()).isEqualByComparingTo("0");
            assertThat(Money.fromUsd(credits.get("free-credits").decimalValue())).isZero();
        }
    }
}
