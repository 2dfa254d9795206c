package dev.hearth.limits;

/**
 * A plan accounts can be on (SPEC §5): model calls per minute (a token bucket of that size, refilled
 * continuously), reads per minute (polling, status, credits, models), jobs queued or running at once, and
 * whether it is a paid plan (which opens premium models whatever the balance).
 */
public record Plan(String name, long requestsPerMinute, long readRequestsPerMinute, int concurrentJobs, boolean paid) {
}
