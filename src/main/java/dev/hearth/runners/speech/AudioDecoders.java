package dev.hearth.runners.speech;

import dev.hearth.artifacts.RuntimeClassLoader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The compressed formats this runner decodes, each with a pure-Java decoder whose jar the catalog entry names and
 * the artifact cache fetched (JLayer for MP3, JOrbis for Ogg Vorbis, jFLAC for FLAC). All are loaded by one
 * {@link RuntimeClassLoader}, closed with the runner; a format whose jar the entry does not name stays refused.
 */
final class AudioDecoders implements AutoCloseable {

    static final String BRIDGE_PACKAGE = "dev.hearth.runners.speech.codecs";

    private final Map<AudioContainer, AudioDecoder> decoders;
    private final RuntimeClassLoader loader;

    private AudioDecoders(Map<AudioContainer, AudioDecoder> decoders, RuntimeClassLoader loader) {
        this.decoders = decoders;
        this.loader = loader;
    }

    static AudioDecoders none() {
        return new AudioDecoders(Map.of(), null);
    }

    /** {@code jars}: a format to the decoder jar that reads it (absent formats are not decoded). */
    static AudioDecoders load(Map<AudioContainer, Path> jars) throws ReflectiveOperationException {
        if (jars.isEmpty()) return none();
        List<Path> paths = new ArrayList<>();
        for (Path jar : jars.values()) {
            if (!Files.isRegularFile(jar)) throw new IllegalArgumentException("no decoder jar at " + jar);
            paths.add(jar);
        }
        RuntimeClassLoader loader = new RuntimeClassLoader("audio-decoders", paths, BRIDGE_PACKAGE);
        try {
            Map<AudioContainer, AudioDecoder> decoders = new EnumMap<>(AudioContainer.class);
            for (AudioContainer format : jars.keySet()) decoders.put(format, loader.create(bridgeClass(format), AudioDecoder.class));
            return new AudioDecoders(decoders, loader);
        } catch (ReflectiveOperationException | RuntimeException | Error e) {
            try {
                loader.close();
            } catch (java.io.IOException ignored) {
                // the boot fails with the first error
            }
            throw e;
        }
    }

    private static String bridgeClass(AudioContainer format) {
        return BRIDGE_PACKAGE + "." + switch (format) {
            case MP3 -> "Mp3Decoder";
            case OGG_VORBIS -> "VorbisDecoder";
            case FLAC -> "FlacDecoder";
            default -> throw new IllegalArgumentException("no decoder is written for " + format.label);
        };
    }

    /** The decoder for {@code format}, or null when this runner does not decode it. */
    AudioDecoder get(AudioContainer format) {
        return decoders.get(format);
    }

    /** "WAV, MP3, Ogg Vorbis" and so on: what a refusal advises sending. */
    String readable() {
        List<String> names = new ArrayList<>(List.of("WAV"));
        for (AudioContainer c : decoders.keySet()) names.add(c.label);
        return String.join(", ", names);
    }

    @Override
    public void close() throws java.io.IOException {
        if (loader != null) loader.close();
    }
}
