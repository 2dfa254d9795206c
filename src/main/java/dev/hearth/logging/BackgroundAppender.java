package dev.hearth.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.spi.AppenderAttachable;
import ch.qos.logback.core.spi.AppenderAttachableImpl;

import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The access log's writer: lines are queued by the request's thread and written to the attached appenders by one
 * background thread, as logback's AsyncAppender does, except that the writer is not woken by every line. While
 * lines keep coming it looks again every {@link #PAUSE_NANOS}; after a quiet spell it parks until a line wakes it.
 * (AsyncAppender's blocking queue woke its writer for each request: a futex call on the request's thread and a
 * context switch per call, measured on the fast path.) Nothing is discarded: when {@code queueSize} lines wait,
 * the logging thread waits for room.
 */
public final class BackgroundAppender extends UnsynchronizedAppenderBase<ILoggingEvent> implements AppenderAttachable<ILoggingEvent> {

    /** How long the writer pauses between looks while lines come: the most a line waits to be written. */
    private static final long PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Empty looks in a row after which the writer parks until a line wakes it (200 ms of nothing). */
    private static final int LOOKS_BEFORE_SLEEP = 20;

    private final AppenderAttachableImpl<ILoggingEvent> appenders = new AppenderAttachableImpl<>();
    private final ConcurrentLinkedQueue<ILoggingEvent> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queued = new AtomicInteger();
    private int queueSize = 8192;
    private volatile Thread writer;
    private volatile boolean asleep;

    /** The most lines that wait before a logging thread waits for room (logback's {@code <queueSize>}). */
    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    @Override
    public void start() {
        if (isStarted()) return;
        super.start();
        writer = Thread.ofPlatform().daemon().name("hearth-access-log").start(this::loop);
    }

    @Override
    protected void append(ILoggingEvent event) {
        event.prepareForDeferredProcessing(); // the message, thread name and MDC as they are now
        while (queued.get() >= queueSize && isStarted()) {
            LockSupport.unpark(writer);
            LockSupport.parkNanos(PAUSE_NANOS / 10);
        }
        queue.add(event);
        queued.incrementAndGet();
        if (asleep) LockSupport.unpark(writer);
    }

    private void loop() {
        int emptyLooks = 0;
        while (isStarted()) {
            if (drain() > 0) {
                emptyLooks = 0;
                LockSupport.parkNanos(PAUSE_NANOS);
            } else if (++emptyLooks < LOOKS_BEFORE_SLEEP) {
                LockSupport.parkNanos(PAUSE_NANOS);
            } else {
                asleep = true;
                // a line queued before this check is seen here; one queued after it sees asleep and unparks
                if (queue.isEmpty() && isStarted()) LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                asleep = false;
            }
        }
    }

    private int drain() {
        int n = 0;
        for (ILoggingEvent e; (e = queue.poll()) != null; n++) {
            queued.decrementAndGet();
            appenders.appendLoopOnAppenders(e);
        }
        return n;
    }

    /** Stops the writer and writes what is still queued. */
    @Override
    public void stop() {
        if (!isStarted()) return;
        super.stop();
        Thread w = writer;
        if (w != null) {
            LockSupport.unpark(w);
            try {
                w.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        drain(); // the attached appenders are the context's to stop (STDERR also serves the other loggers)
    }

    @Override
    public void addAppender(Appender<ILoggingEvent> appender) {
        appenders.addAppender(appender);
    }

    @Override
    public Iterator<Appender<ILoggingEvent>> iteratorForAppenders() {
        return appenders.iteratorForAppenders();
    }

    @Override
    public Appender<ILoggingEvent> getAppender(String name) {
        return appenders.getAppender(name);
    }

    @Override
    public boolean isAttached(Appender<ILoggingEvent> appender) {
        return appenders.isAttached(appender);
    }

    @Override
    public void detachAndStopAllAppenders() {
        appenders.detachAndStopAllAppenders();
    }

    @Override
    public boolean detachAppender(Appender<ILoggingEvent> appender) {
        return appenders.detachAppender(appender);
    }

    @Override
    public boolean detachAppender(String name) {
        return appenders.detachAppender(name);
    }
}
