package dev.hearth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code hearth endpoints}: the dedicated-endpoint control API from the command line, with the same validation. */
class EndpointsCliTest {

    @TempDir
    Path data;

    private CliRun hearth(String... args) {
        return CliRun.hearth(data, args);
    }

    @Test
    void endpointsAreAddedListedUpdatedAndDeletedFromTheCommandLine() throws Exception {
        String account = hearth("accounts", "create", "--name", "cli-endpoints", "--plan", "pro").json().get("account_id").asText();

        CliRun added = hearth("endpoints", "add", "--account", account, "--name", "my-embedder", "--model", "bge-small-en-v1.5",
                "--workers-max", "3", "--gpu", "cpu");
        assertThat(added.code()).as(added.err()).isZero();
        String id = added.json().get("endpoint_id").asText();
        assertThat(added.json().get("message").asText()).contains("my-embedder");

        JsonNode listed = hearth("endpoints", "list", "--account", account).json().get("endpoints");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("endpoint_id").asText()).isEqualTo(id);
        assertThat(listed.get(0).get("workers_max").asInt()).isEqualTo(3);
        assertThat(listed.get(0).get("status").asText()).isEqualTo("idle");

        // the same validation as the HTTP API: 422 naming the field, nothing created
        CliRun tooMany = hearth("endpoints", "add", "--account", account, "--name", "other", "--model", "bge-small-en-v1.5", "--workers-max", "11");
        assertThat(tooMany.code()).isEqualTo(1);
        assertThat(tooMany.err()).contains("workers_max");
        CliRun catalogSlug = hearth("endpoints", "add", "--account", account, "--name", "bge-small-en-v1.5", "--model", "bge-small-en-v1.5");
        assertThat(catalogSlug.code()).isEqualTo(1);
        assertThat(catalogSlug.err()).contains("endpoint_name");
        assertThat(hearth("endpoints", "list", "--account", account).json().get("endpoints")).hasSize(1);

        CliRun updated = hearth("endpoints", "update", "--account", account, "--id", id, "--workers-min", "1");
        assertThat(updated.code()).as(updated.err()).isZero();
        assertThat(hearth("endpoints", "list", "--account", account).json().get("endpoints").get(0).get("workers_min").asInt()).isEqualTo(1);

        // another account's endpoint is not found
        String other = hearth("accounts", "create", "--name", "someone", "--plan", "pro").json().get("account_id").asText();
        assertThat(hearth("endpoints", "delete", "--account", other, "--id", id).code()).isEqualTo(1);

        CliRun deleted = hearth("endpoints", "delete", "--account", account, "--name", "my-embedder");
        assertThat(deleted.code()).as(deleted.err()).isZero();
        assertThat(deleted.json().get("status").asText()).isEqualTo("deleted");
        assertThat(hearth("endpoints", "list", "--account", account).json().get("endpoints")).isEmpty();
    }
}
