package dev.hearth.runners.embedding;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hearth.runners.BootProgress;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A BERT-style sentence encoder run by onnxruntime: tokenizes with the model's own tokenizer.json, runs the
 * encoder, pools the hidden states into one vector per text and (usually) scales it to unit length.
 *
 * <p>Thread-safe: {@link OrtSession#run} may be called concurrently, and DJL's tokenizer only reads the native
 * Rust tokenizer ({@code encode} takes {@code &self}); its truncation settings are fixed here at load and never
 * changed afterwards, which is the one thing that would race.
 *
 * <p>By default texts are encoded one at a time, never padded into a batch. The bundled models are dynamically
 * quantized (DynamicQuantizeLinear picks one int8 scale from the min/max of the whole activation tensor), so in a
 * padded batch the other texts and the padding change every text's rounding: measured, components moved by up to
 * 0.03, far beyond float noise. One text per run keeps a vector independent of what it was sent with (and equal
 * to langchain4j's), and on CPU batching bought little anyway: a padded batch of 5 sentences ran 5 to 12% faster
 * than the same 5 one by one.
 *
 * <p>{@link #embedPadded} is the other path: all texts in one run, padded to the longest, with an attention mask
 * that hides the padding. For a float (unquantized) export it gives each text's one-at-a-time vector to float
 * noise, and the catalog turns it on with {@code paddedBatches} for such a model.
 */
public final class TextEmbedder implements AutoCloseable {

    /** BERT-family encoders learned 512 positions; a longer input fails inside the model. */
    public static final int MAX_POSITIONS = 512;

    /**
     * @param model     where the .onnx file is ({@code classpath:<name>} or a path)
     * @param tokenizer where the HF tokenizer.json is
     * @param threads   onnxruntime intra-op threads for one text
     * @param maxTokens tokens per text after which the text is cut, [CLS] and [SEP] included; null takes the
     *                  tokenizer.json's own truncation length, else {@link #MAX_POSITIONS}
     * @param paddedBatches whether {@link #embed} runs all the texts of one call as one padded batch; only exact
     *                  for an unquantized model (see the class comment)
     */
    public record Settings(String model, String tokenizer, Pooling pooling, boolean normalize, int threads, Integer maxTokens,
                           boolean paddedBatches) {

        public Settings {
            if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, not " + threads);
            if (maxTokens != null && (maxTokens < 2 || maxTokens > MAX_POSITIONS))
                throw new IllegalArgumentException("maxTokens must be between 2 and " + MAX_POSITIONS + ", not " + maxTokens);
        }
    }

    private static final String HIDDEN_STATES = "last_hidden_state";

    private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final Pooling pooling;
    private final boolean normalize;
    private final Set<String> inputs;
    private final String output;
    private final int maxTokens;
    private final boolean paddedBatches;
    private final int dimensions;

    private TextEmbedder(OrtSession session, HuggingFaceTokenizer tokenizer, int maxTokens, Settings settings) throws OrtException {
        this.session = session;
        this.tokenizer = tokenizer;
        this.pooling = settings.pooling();
        this.normalize = settings.normalize();
        this.inputs = session.getInputNames();
        // Some exports also return pooler_output; the hidden states are what the pooling was trained on.
        this.output = session.getOutputNames().contains(HIDDEN_STATES) ? HIDDEN_STATES : session.getOutputNames().iterator().next();
        this.maxTokens = maxTokens;
        this.paddedBatches = settings.paddedBatches();
        // A first run both learns the width and pays onnxruntime's first-run allocations before any caller waits.
        this.dimensions = embed(List.of("warm-up")).vectors().getFirst().length;
    }

    public static TextEmbedder load(Settings settings, BootProgress progress) throws OrtException, IOException {
        optOutOfDjlTelemetry();
        progress.step("loading tokenizer " + settings.tokenizer());
        byte[] tokenizerJson = ModelFiles.read(settings.tokenizer());
        int maxTokens = settings.maxTokens() != null ? settings.maxTokens() : declaredMaxTokens(tokenizerJson);
        HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(tokenizerJson), Map.of(
                "padding", "false", "truncation", "true", "maxLength", Integer.toString(maxTokens)));
        try {
            OrtSession session = openSession(settings, progress);
            try {
                return new TextEmbedder(session, tokenizer, maxTokens, settings);
            } catch (RuntimeException | OrtException e) {
                session.close();
                throw e;
            }
        } catch (RuntimeException | OrtException | IOException e) {
            tokenizer.close();
            throw e;
        }
    }

    private static OrtSession openSession(Settings settings, BootProgress progress) throws OrtException, IOException {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(settings.threads());
            if (ModelFiles.onClasspath(settings.model())) {
                byte[] model = ModelFiles.read(settings.model());
                progress.step("loading ONNX model (" + megabytes(model.length) + " MB)");
                return environment.createSession(model, options);
            }
            // From a path onnxruntime maps the file itself and finds external weight files next to it.
            Path path = ModelFiles.path(settings.model());
            progress.step("loading ONNX model (" + megabytes(Files.size(path)) + " MB)");
            return environment.createSession(path.toString(), options);
        }
    }

    /**
     * DJL's tokenizer factory "calls home" once a day: it asks the EC2 metadata address for an instance id (1 s
     * timeouts, a delayed boot wherever that address does not answer) and, on EC2, pings an AWS telemetry bucket.
     * A self-hosted gateway must not phone anyone; an operator who wants it can still set OPT_OUT_TRACKING=false.
     */
    private static void optOutOfDjlTelemetry() {
        if (System.getenv("OPT_OUT_TRACKING") == null && System.getProperty("OPT_OUT_TRACKING") == null)
            System.setProperty("OPT_OUT_TRACKING", "true");
    }

    /**
     * The truncation length the model's publisher wrote into tokenizer.json (all-MiniLM-L6-v2: 128, the length it
     * was trained at), capped at what the encoder can take; {@link #MAX_POSITIONS} when it names none (BGE).
     */
    static int declaredMaxTokens(byte[] tokenizerJson) throws IOException {
        JsonNode declared = new ObjectMapper().readTree(tokenizerJson).path("truncation").path("max_length");
        return declared.canConvertToInt() && declared.asInt() > 1 ? Math.min(declared.asInt(), MAX_POSITIONS) : MAX_POSITIONS;
    }

    /**
     * One vector per text, in order: one run per text, or one padded run for all when the catalog asked for
     * padded batches. An empty text is allowed: it is embedded as [CLS] [SEP].
     */
    public Embeddings embed(List<String> texts) throws OrtException {
        if (paddedBatches) return embedPadded(texts);
        List<float[]> vectors = new ArrayList<>(texts.size());
        long tokens = 0;
        for (String text : texts) {
            Encoding encoding = tokenizer.encode(text);
            vectors.addAll(run(List.of(encoding)));
            tokens += textTokens(encoding);
        }
        return new Embeddings(vectors, tokens);
    }

    /**
     * One vector per text, in order, from one ONNX run over all of them: each text padded to the longest with
     * the attention mask set to 0 on the padding, so the encoder's attention ignores it and pooling skips it.
     */
    public Embeddings embedPadded(List<String> texts) throws OrtException {
        if (texts.isEmpty()) return new Embeddings(List.of(), 0);
        List<Encoding> encodings = new ArrayList<>(texts.size());
        long tokens = 0;
        for (String text : texts) {
            Encoding encoding = tokenizer.encode(text);
            encodings.add(encoding);
            tokens += textTokens(encoding);
        }
        return new Embeddings(run(encodings), tokens);
    }

    /** The most texts one padded run of {@link #embedEach} takes: a gathered batch may hold many calls' lists. */
    static final int PADDED_ROWS = 64;

    /**
     * The texts of several calls at once (a batch the execution lane gathered from concurrent callers): one
     * {@link Embeddings} per group, in the order of the groups, each with its own token count. With padded
     * batches the texts are sorted by length and run in padded chunks of at most {@link #PADDED_ROWS} (texts of
     * similar length waste little on padding); otherwise one run per text, as {@link #embed} does, so a text's
     * vector is exactly what it gets alone.
     */
    public List<Embeddings> embedEach(List<List<String>> groups) throws OrtException {
        List<Encoding> encodings = new ArrayList<>();
        for (List<String> group : groups) for (String text : group) encodings.add(tokenizer.encode(text));
        float[][] vectors = new float[encodings.size()][];
        if (paddedBatches) {
            Integer[] order = new Integer[encodings.size()];
            for (int i = 0; i < order.length; i++) order[i] = i;
            Arrays.sort(order, java.util.Comparator.comparingInt(i -> encodings.get(i).getIds().length));
            for (int start = 0; start < order.length; start += PADDED_ROWS) {
                int end = Math.min(order.length, start + PADDED_ROWS);
                List<Encoding> chunk = new ArrayList<>(end - start);
                for (int k = start; k < end; k++) chunk.add(encodings.get(order[k]));
                List<float[]> out = run(chunk);
                for (int k = start; k < end; k++) vectors[order[k]] = out.get(k - start);
            }
        } else {
            for (int i = 0; i < vectors.length; i++) vectors[i] = run(List.of(encodings.get(i))).getFirst();
        }
        List<Embeddings> each = new ArrayList<>(groups.size());
        int next = 0;
        for (List<String> group : groups) {
            long tokens = 0;
            for (int i = next; i < next + group.size(); i++) tokens += textTokens(encodings.get(i));
            each.add(new Embeddings(Arrays.asList(vectors).subList(next, next + group.size()), tokens));
            next += group.size();
        }
        return each;
    }

    /** Tokens of the text itself: the [CLS] and [SEP] the tokenizer adds are the model's affair, not the caller's. */
    private static long textTokens(Encoding encoding) {
        long count = 0;
        for (long special : encoding.getSpecialTokenMask()) if (special == 0) count++;
        return count;
    }

    /** One run over the encodings as rows of a [texts, longest] batch; one text is a batch of one, unpadded. */
    private List<float[]> run(List<Encoding> encodings) throws OrtException {
        int rows = encodings.size();
        int width = 0;
        for (Encoding encoding : encodings) width = Math.max(width, encoding.getIds().length);
        // Zeros past each text's end: id 0 is [PAD] in BERT vocabularies, and a 0 in the mask hides it.
        long[] ids = new long[rows * width];
        long[] attentionMask = new long[rows * width];
        long[] typeIds = new long[rows * width];
        for (int row = 0; row < rows; row++) {
            Encoding encoding = encodings.get(row);
            int length = encoding.getIds().length;
            System.arraycopy(encoding.getIds(), 0, ids, row * width, length);
            System.arraycopy(encoding.getAttentionMask(), 0, attentionMask, row * width, length);
            System.arraycopy(encoding.getTypeIds(), 0, typeIds, row * width, length);
        }
        long[] shape = {rows, width};
        Map<String, OnnxTensor> feed = new HashMap<>();
        try {
            feed.put("input_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape));
            if (inputs.contains("attention_mask"))
                feed.put("attention_mask", OnnxTensor.createTensor(environment, LongBuffer.wrap(attentionMask), shape));
            // Exports differ: feeding an input the graph does not declare is an error.
            if (inputs.contains("token_type_ids"))
                feed.put("token_type_ids", OnnxTensor.createTensor(environment, LongBuffer.wrap(typeIds), shape));
            try (OrtSession.Result result = session.run(feed)) {
                OnnxTensor hidden = (OnnxTensor) result.get(output).orElseThrow();
                long[] hiddenShape = hidden.getInfo().getShape();
                if (hiddenShape.length != 3)
                    throw new IllegalStateException("output '" + output + "' is not per-token hidden states [texts, tokens, dimensions]");
                int dimensions = (int) hiddenShape[2];
                FloatBuffer states = hidden.getFloatBuffer();
                List<float[]> vectors = new ArrayList<>(rows);
                for (int row = 0; row < rows; row++) {
                    FloatBuffer rowStates = states.slice(row * width * dimensions, width * dimensions);
                    long[] rowMask = Arrays.copyOfRange(attentionMask, row * width, (row + 1) * width);
                    float[] vector = pooling.pool(rowStates, width, dimensions, rowMask);
                    vectors.add(normalize ? unitLength(vector) : vector);
                }
                return vectors;
            }
        } finally {
            feed.values().forEach(OnnxTensor::close);
        }
    }

    private static float[] unitLength(float[] vector) {
        double sumOfSquares = 0;
        for (float v : vector) sumOfSquares += v * v;
        float norm = (float) Math.sqrt(sumOfSquares);
        if (norm == 0) return vector;
        for (int i = 0; i < vector.length; i++) vector[i] /= norm;
        return vector;
    }

    private static long megabytes(long bytes) {
        return Math.round(bytes / 1e6);
    }

    public int dimensions() {
        return dimensions;
    }

    /** Tokens per text the model reads, [CLS] and [SEP] included; the rest of a longer text is cut. */
    public int maxTokens() {
        return maxTokens;
    }

    @Override
    public void close() throws OrtException {
        try {
            session.close();
        } finally {
            tokenizer.close();
        }
    }
}
