package dev.hearth.runners.esrgan;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Splits the rows of one layer's output over a fixed number of platform threads, owned by the model and shut
 * down with it. The pool bounds the CPU an upscale can take however many calls run at once; with one thread
 * the work runs on the caller's thread.
 */
final class RowPool implements AutoCloseable {

    @FunctionalInterface
    interface Rows {
        void run(int fromRow, int toRow);
    }

    private final int threads;
    private final ExecutorService executor;

    RowPool(int threads) {
        this.threads = Math.max(1, threads);
        this.executor = this.threads == 1 ? null
                : Executors.newFixedThreadPool(this.threads, Thread.ofPlatform().daemon().name("esrgan-", 0).factory());
    }

    int threads() {
        return threads;
    }

    void forRows(int rows, Rows body) {
        if (executor == null || rows < 2) {
            body.run(0, rows);
            return;
        }
        // A few chunks per thread so one slow thread (the machine is shared) does not hold the layer back.
        int chunks = Math.min(rows, threads * 4);
        List<Callable<Void>> tasks = new ArrayList<>(chunks);
        for (int c = 0; c < chunks; c++) {
            int from = (int) ((long) rows * c / chunks);
            int to = (int) ((long) rows * (c + 1) / chunks);
            tasks.add(() -> {
                body.run(from, to);
                return null;
            });
        }
        try {
            for (Future<Void> f : executor.invokeAll(tasks)) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("upscale interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        if (executor != null) executor.shutdownNow();
    }
}
