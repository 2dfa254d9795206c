package dev.hearth.billing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.http.Json;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** What a per-token call holds before it runs and what it is charged after. */
class PerTokenPricingTest {

    static final Pricing PRICE = Pricing.parse("llm", Json.object().put("type", "per_token").put("price", "0.000001").put("max_units", 8192));

    @Test
    void theHoldCoversMaxTokensPlusEveryByteOfThePrompt() {
        ObjectNode p = Json.object().put("max_tokens", 100);
        p.putArray("messages").addObject().put("role", "user").put("content", "héllo wörld");
        long bytes = Json.text(p).getBytes(StandardCharsets.UTF_8).length;
        assertThat(PRICE.worstCase(p, 60)).isEqualTo(1000L * (100 + bytes));
        // a byte-level tokenizer cannot make more tokens than bytes: the charge of any real answer fits the hold
        assertThat(PRICE.actual(p, 0, 100 + 11)).isEqualTo(1000L * 111);
    }

    @Test
    void withoutMaxTokensOrPastTheContextTheHoldIsTheModelsMaximum() {
        ObjectNode p = Json.object().put("prompt", "hi");
        assertThat(PRICE.worstCase(p, 60)).isEqualTo(1000L * 8192);
        ObjectNode big = Json.object().put("max_tokens", 8000).put("prompt", "x".repeat(1000));
        assertThat(PRICE.worstCase(big, 60)).isEqualTo(1000L * 8192);
        // a runner that reports more is charged no more than the hold: the ledger's rule (LedgerTest)
        assertThat(PRICE.actual(big, 0, 100_000)).isEqualTo(1000L * 100_000);
    }
}
