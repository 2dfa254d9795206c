package dev.hearth.jobs;

/**
 * Where the engine keeps media outputs of v2 jobs, which are answered as URLs (SPEC §3.2). Implemented by
 * the storage package; returns the output's public URL path.
 */
@FunctionalInterface
public interface OutputStore {

    String save(String accountId, byte[] bytes, String contentType);
}
