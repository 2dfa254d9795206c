package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The operator's CLI runs the same code as the admin API, on the same data folder. */
class AdminCliTest {

    @TempDir
    Path data;

    private CliRun hearth(String... args) {
        return CliRun.hearth(data, args);
    }

    @Test
    void accountsKeysAndCreditsFromTheCommandLine() throws Exception {
        CliRun created = hearth("accounts", "create", "--name", "cli-team", "--plan", "pro", "--free-credits", "0.5");
        assertThat(created.code()).as(created.err()).isZero();
        String id = created.json().get("account_id").asText();
        assertThat(created.json().get("api_key").asText()).startsWith("SG_").hasSize(35);

        CliRun grant = hearth("credits", id, "12.5", "--kind", "paid", "--reference", "invoice-9");
        assertThat(grant.json().get("credits").decimalValue()).isEqualByComparingTo("12.5");
        CliRun repeat = hearth("credits", id, "12.5", "--kind", "paid", "--reference", "invoice-9");
        assertThat(repeat.json().get("repeated").asBoolean()).isTrue();
        assertThat(repeat.json().get("credits").decimalValue()).isEqualByComparingTo("12.5");
        CliRun conflict = hearth("credits", id, "13", "--kind", "paid", "--reference", "invoice-9");
        assertThat(conflict.code()).isEqualTo(1);
        assertThat(conflict.err()).contains("invoice-9");

        CliRun key = hearth("keys", "create", id, "--name", "ci");
        String keyId = key.json().get("key_id").asText();
        assertThat(hearth("keys", "revoke", keyId).json().get("revoked").asBoolean()).isTrue();

        CliRun show = hearth("accounts", "show", id);
        JsonNode account = show.json();
        assertThat(account.get("plan").asText()).isEqualTo("pro");
        assertThat(account.get("free-credits").decimalValue()).isEqualByComparingTo("0.5");
        assertThat(account.get("keys")).hasSize(2);
        assertThat(account.get("keys").findValuesAsText("active")).containsExactlyInAnyOrder("true", "false");

        assertThat(hearth("accounts", "suspend", id).json().get("status").asText()).isEqualTo("suspended");
        assertThat(hearth("accounts", "plan", id, "no-such-plan").code()).isEqualTo(1);
        assertThat(hearth("accounts", "list").json()).hasSize(1);
    }
}
