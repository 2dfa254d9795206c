package dev.hearth.runners.speech;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CMU pocketsphinx (0.8+5prealpha, the C library Debian ships) called in process through JNA. The shared libraries
 * come from the artifact cache, not from the system: each is opened by absolute path, dependencies first, so that
 * when {@code libpocketsphinx.so.3} asks the dynamic linker for {@code libsphinxbase.so.3} (and that for BLAS and
 * LAPACK), a library of that soname is already loaded and no system folder is searched.
 */
final class PocketSphinx {

    /** The C functions used, as {@code pocketsphinx.h} and {@code cmd_ln.h} declare them. */
    interface Api extends Library {
        Pointer ps_args();

        Pointer cmd_ln_parse_r(Pointer inout, Pointer defn, int argc, String[] argv, int strict);

        int cmd_ln_free_r(Pointer config);

        Pointer ps_init(Pointer config);

        int ps_free(Pointer decoder);

        int ps_start_utt(Pointer decoder);

        int ps_process_raw(Pointer decoder, short[] data, long samples, int noSearch, int fullUtt);

        int ps_end_utt(Pointer decoder);

        String ps_get_hyp(Pointer decoder, IntByReference bestScore);

        Pointer ps_seg_iter(Pointer decoder);

        Pointer ps_seg_next(Pointer segment);

        String ps_seg_word(Pointer segment);

        void ps_seg_frames(Pointer segment, IntByReference startFrame, IntByReference endFrame);

        void ps_seg_free(Pointer segment);
    }

    /** Frames per second of pocketsphinx's front end (its default {@code -frate}): word timings are in frames. */
    static final int FRAMES_PER_SECOND = 100;
    static final int SAMPLE_RATE = 16_000;

    private final Api api;
    private final String[] argv;

    private PocketSphinx(Api api, String[] argv) {
        this.api = api;
        this.argv = argv;
    }

    /**
     * Opens {@code libraries} in order (the last one is pocketsphinx itself) and checks the model files.
     *
     * @param hmm the acoustic model folder; {@code lm} the n-gram language model; {@code dict} the pronunciation dictionary
     */
    static PocketSphinx load(List<Path> libraries, Path hmm, Path lm, Path dict) {
        if (libraries.isEmpty()) throw new IllegalArgumentException("no pocketsphinx libraries named");
        for (Path lib : libraries) {
            if (!Files.isRegularFile(lib)) throw new IllegalArgumentException("no shared library at " + lib);
        }
        if (!Files.isRegularFile(hmm.resolve("mdef"))) throw new IllegalArgumentException("no acoustic model (mdef) in " + hmm);
        if (!Files.isRegularFile(lm)) throw new IllegalArgumentException("no language model at " + lm);
        if (!Files.isRegularFile(dict)) throw new IllegalArgumentException("no dictionary at " + dict);
        for (Path lib : libraries.subList(0, libraries.size() - 1)) NativeLibrary.getInstance(lib.toAbsolutePath().toString());
        Api api = Native.load(libraries.getLast().toAbsolutePath().toString(), Api.class,
                Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));
        List<String> args = new ArrayList<>(List.of("-hmm", hmm.toString(), "-lm", lm.toString(), "-dict", dict.toString(),
                "-samprate", Integer.toString(SAMPLE_RATE)));
        // pocketsphinx logs every setting and each utterance to stderr; Hearth's log says what matters
        if (Files.isDirectory(Path.of("/dev")) && Files.exists(Path.of("/dev/null"))) args.addAll(List.of("-logfn", "/dev/null"));
        return new PocketSphinx(api, args.toArray(String[]::new));
    }

    /** A new decoder: about 0.3 s and its own search state. Not thread-safe: one caller at a time. */
    Decoder decoder() {
        Pointer config = api.cmd_ln_parse_r(null, api.ps_args(), argv.length, argv, 1);
        if (config == null) throw new IllegalStateException("pocketsphinx refused its settings " + String.join(" ", argv));
        Pointer ps = api.ps_init(config);
        // ps_init keeps its own reference to the configuration
        api.cmd_ln_free_r(config);
        if (ps == null) throw new IllegalStateException("pocketsphinx could not load its model (" + String.join(" ", argv) + ")");
        return new Decoder(ps);
    }

    /** One recognised word and when it was said, in seconds from the start of the audio. */
    record Word(String word, double start, double end) {
    }

    record Transcript(String text, List<Word> words) {
    }

    final class Decoder implements AutoCloseable {
        private Pointer ps;

        private Decoder(Pointer ps) {
            this.ps = ps;
        }

        /** Decodes one utterance: 16 kHz mono 16-bit samples. */
        Transcript decode(short[] samples) {
            check(api.ps_start_utt(ps), "ps_start_utt");
            // the whole recording in one call, full_utt = 1: the search sees all of it before deciding
            if (api.ps_process_raw(ps, samples, samples.length, 0, 1) < 0) throw new IllegalStateException("pocketsphinx failed on the audio (ps_process_raw)");
            check(api.ps_end_utt(ps), "ps_end_utt");
            String hyp = api.ps_get_hyp(ps, new IntByReference());
            List<Word> words = new ArrayList<>();
            IntByReference sf = new IntByReference();
            IntByReference ef = new IntByReference();
            for (Pointer seg = api.ps_seg_iter(ps); seg != null; seg = api.ps_seg_next(seg)) {
                String w = api.ps_seg_word(seg);
                if (w == null || isFiller(w)) continue;
                api.ps_seg_frames(seg, sf, ef);
                words.add(new Word(spelling(w), sf.getValue() / (double) FRAMES_PER_SECOND, (ef.getValue() + 1) / (double) FRAMES_PER_SECOND));
            }
            // ps_seg_next frees the iterator when it returns null
            return new Transcript(hyp == null ? "" : hyp.strip(), words);
        }

        private void check(int rc, String call) {
            if (rc < 0) throw new IllegalStateException("pocketsphinx failed (" + call + " returned " + rc + ")");
        }

        @Override
        public void close() {
            if (ps != null) api.ps_free(ps);
            ps = null;
        }
    }

    /** Silence, breath and noise markers ({@code <s>}, {@code <sil>}, {@code [NOISE]}, {@code ++UH++}) are not words. */
    static boolean isFiller(String w) {
        return w.startsWith("<") || w.startsWith("[") || w.startsWith("+");
    }

    /** The dictionary marks alternative pronunciations as {@code word(2)}: the word is the same. */
    static String spelling(String w) {
        int paren = w.indexOf('(');
        return (paren > 0 ? w.substring(0, paren) : w).toLowerCase(Locale.ROOT);
    }
}
