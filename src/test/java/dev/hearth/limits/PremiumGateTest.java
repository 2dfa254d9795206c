package dev.hearth.limits;

import dev.hearth.billing.Money;
import dev.hearth.catalog.Catalog;
import dev.hearth.catalog.ModelSpec;
import dev.hearth.http.ApiException;
import dev.hearth.limits.Fixture.Backend;
import dev.hearth.limits.Fixture.ManualTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;

import static dev.hearth.limits.RateLimitTest.refused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * SPEC §5 premium gate with a premium entry an operator adds to the catalog folder: an unpaid plan needs
 * the configured minimum balance ($5 by default), a paid plan needs nothing, and built-in embeddings stay open.
 */
class PremiumGateTest {

    static Catalog catalogWithPremiumModel(Path dir) throws IOException {
        String bge = new String(PremiumGateTest.class.getResourceAsStream("/models/bge-small-en-v1.5.yaml").readAllBytes());
        Files.writeString(dir.resolve("premium-embeddings.yaml"),
                bge.replace("slug: bge-small-en-v1.5", "slug: premium-embeddings").replace("premium: false", "premium: true"));
        return Catalog.load(dir.toString());
    }

    static long usd(String amount) {
        return Money.fromUsd(new BigDecimal(amount));
    }

    @Test
    void unpaidPlansNeedFiveDollarsPaidPlansNothing(@TempDir Path dir) throws IOException {
        Catalog catalog = catalogWithPremiumModel(dir);
        ModelSpec premium = catalog.resolve("premium-embeddings");
        assertThat(premium.premium()).isTrue();
        try (Fixture f = new Fixture(Backend.MEMORY); Limits limits = f.node(new ManualTime())) {
            String free = f.account("free");
            ApiException e = refused(() -> limits.checkPremium(premium, free, usd("1")));
            assertThat(e.status()).isEqualTo(403);
            assertThat(e.getMessage()).isEqualTo("Model 'premium-embeddings' is a premium model: it needs a paid plan (pro, enterprise)"
                    + " or a balance of at least $5. Account " + free + " is on plan 'free' with a balance of $1; add credits or ask"
                    + " the operator to move the account to a paid plan");
            refused(() -> limits.checkPremium(premium, free, usd("4.999999999")));
            assertThatNoException().isThrownBy(() -> limits.checkPremium(premium, free, usd("5")));
            assertThatNoException().isThrownBy(() -> limits.checkPremium(premium, free, usd("6")));

            String pro = f.account("pro");
            assertThatNoException().isThrownBy(() -> limits.checkPremium(premium, pro, 0));
        }
    }

    @Test
    void builtInEmbeddingsStayOpenToTheFreePlanAtTheirPrice(@TempDir Path dir) throws IOException {
        Catalog catalog = catalogWithPremiumModel(dir);
        ModelSpec bge = catalog.resolve("bge-small-en-v1.5");
        assertThat(bge.premium()).isFalse();
        assertThat(bge.pricing().price()).isEqualTo(usd("0.0001"));
        try (Fixture f = new Fixture(Backend.MEMORY); Limits limits = f.node(new ManualTime())) {
            assertThatNoException().isThrownBy(() -> limits.checkPremium(bge, f.account("free"), 0));
        }
    }

    @Test
    void theMinimumBalanceIsConfigurable() {
        LimitsConfig cfg = LimitsConfig.from(dev.hearth.config.ConfigLoader.load(null,
                java.util.Map.of("HEARTH_LIMITS_PREMIUM_MIN_BALANCE", "2.5"), java.util.Map.of()));
        assertThat(cfg.premiumMinBalance()).isEqualTo(usd("2.5"));
    }
}
