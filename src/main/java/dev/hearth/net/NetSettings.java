package dev.hearth.net;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hearth.config.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code net:} section: which non-public addresses the operator allows outbound fetches to reach, and the
 * time and redirect caps of every fetch. {@code allow} is a YAML list, or a comma-separated string when set
 * through {@code HEARTH_NET_ALLOW}.
 */
public record NetSettings(List<String> allow, Duration connectTimeout, Duration fetchTimeout, int maxRedirects) {

    public static NetSettings from(JsonNode section) {
        List<String> allow = new ArrayList<>();
        JsonNode a = section.path("allow");
        if (a.isArray()) a.forEach(n -> allow.add(n.asText()));
        else if (a.isTextual()) Arrays.stream(a.asText().split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(allow::add);
        return new NetSettings(List.copyOf(allow),
                Durations.parse("net.connect_timeout", section.path("connect_timeout").asText("10s")),
                Durations.parse("net.fetch_timeout", section.path("fetch_timeout").asText("30s")),
                section.path("max_redirects").asInt(5));
    }

    public AddressGuard guard(HostResolver resolver) {
        return new AddressGuard(allow, resolver);
    }

    public GuardedHttp http(HostResolver resolver) {
        return new GuardedHttp(guard(resolver), connectTimeout, fetchTimeout, maxRedirects);
    }
}
