package dev.hearth.usage;

import dev.hearth.http.ApiException;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;

/**
 * Usage is counted per UTC day, stored as the epoch day ({@code finished_at / 86 400 000}) so that the same
 * integer arithmetic works in Java, SQLite and PostgreSQL; dates on the wire are {@code YYYY-MM-DD}.
 */
public final class UsageDays {

    public static final long MILLIS_PER_DAY = 86_400_000L;
    // strict: 2025-02-30 is refused instead of being moved to 2025-02-28
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("uuuu-MM-dd").withResolverStyle(ResolverStyle.STRICT);

    private UsageDays() {
    }

    public static long dayOf(long epochMillis) {
        return Math.floorDiv(epochMillis, MILLIS_PER_DAY);
    }

    public static String format(long epochDay) {
        return LocalDate.ofEpochDay(epochDay).toString();
    }

    /** A query parameter as an epoch day; a missing value gives {@code fallback}, a bad one 422 naming the parameter. */
    public static long parse(String name, String value, long fallback) {
        if (value == null || value.isBlank()) return fallback;
        try {
            return LocalDate.parse(value.trim(), DATE).toEpochDay();
        } catch (DateTimeParseException e) {
            throw ApiException.invalid(name + ": '" + value + "' is not a date; use YYYY-MM-DD (UTC), e.g. " + format(fallback));
        }
    }
}
