package dev.hearth.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.Map;

/** Endpoint billing on PostgreSQL (row locks, the partial unique index, the daily-usage upsert): the same checks as on SQLite. */
class EndpointsPostgresIT {

    @Test
    void workerSecondsBilledMatchTheMeasuredUpTimeOnPostgres() throws Exception {
        try (HearthServer server = HearthServer.start(HearthServer.Store.POSTGRESQL, EndpointsIT.config(),
                Map.of("tagged", new EndpointsIT.TaggedRunners()))) {
            JsonNode acc = server.createAccount("endpoints-pg", "pro", "10");
            EndpointsIT.billedWorkerSecondsMatchUpTime(server, acc.get("api_key").asText(), acc.get("account_id").asText());
        }
    }
}
