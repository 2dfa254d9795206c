package dev.hearth.jobs;

/** Checks a webhook URL at submit (SPEC §3.2: the address guard applies; a refused URL → 422). */
@FunctionalInterface
public interface WebhookTargets {

    void check(String url);
}
