package dev.hearth.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads a runtime that comes as jars from the artifact cache (FreeTTS, OpenCV) instead of inside Hearth's jar.
 * Hearth's code that calls the runtime lives in one <em>bridge</em> package, compiled against the runtime (a
 * {@code provided} dependency, so it is not shaded in). This loader defines that package's classes itself, from
 * Hearth's own class files, so their references to the runtime resolve against the cached jars. Lookups go to
 * the JDK first, then the jars, then Hearth (for the public interface the bridge implements); so the runtime
 * always comes from the cache, even when a copy is on Hearth's class path (as in tests). Closing it lets the
 * runtime be unloaded with the model.
 */
public final class RuntimeClassLoader extends URLClassLoader {

    private final String bridge;
    private final ClassLoader hearth;

    /** {@code bridgePackage}: e.g. {@code dev.hearth.runners.speech.freetts}; its classes must only ever be named by string. */
    public RuntimeClassLoader(String name, List<Path> jars, String bridgePackage) {
        super(name, urls(jars), ClassLoader.getPlatformClassLoader());
        this.bridge = bridgePackage + ".";
        this.hearth = RuntimeClassLoader.class.getClassLoader();
    }

    private static URL[] urls(List<Path> jars) {
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = jars.get(i).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("not a usable jar path: " + jars.get(i), e);
            }
        }
        return urls;
    }

    /** A new instance of a bridge class (public, no-argument constructor) seen as the Hearth interface it implements. */
    public <T> T create(String bridgeClass, Class<T> type) throws ReflectiveOperationException {
        if (!bridgeClass.startsWith(bridge)) throw new IllegalArgumentException(bridgeClass + " is not in the bridge package " + bridge);
        return type.cast(loadClass(bridgeClass).getDeclaredConstructor().newInstance());
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> c = findLoadedClass(name);
            if (c == null) {
                if (name.startsWith(bridge)) {
                    c = defineBridgeClass(name);
                } else {
                    try {
                        c = super.loadClass(name, false);
                    } catch (ClassNotFoundException notInJdkOrJars) {
                        c = hearth.loadClass(name);
                    }
                }
            }
            if (resolve) resolveClass(c);
            return c;
        }
    }

    private Class<?> defineBridgeClass(String name) throws ClassNotFoundException {
        try (InputStream in = hearth.getResourceAsStream(name.replace('.', '/') + ".class")) {
            if (in == null) throw new ClassNotFoundException(name + " (not among Hearth's classes)");
            byte[] bytes = in.readAllBytes();
            return defineClass(name, bytes, 0, bytes.length);
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
    }
}
